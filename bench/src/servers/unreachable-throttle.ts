import type { VerifierOptions } from '@latchkey/verifier'

const unreachable = 1_000_000

/**
 * The failure throttle with its limits out of reach: one load generator on one address sends every
 * scenario, so the throttle stays in the measured path without ever blocking (as serveLatchkey sets it).
 */
export const unreachableThrottle = {
  perKeyAndAddress: unreachable,
  perAddress: unreachable,
  perKey: unreachable,
} satisfies VerifierOptions['failureThrottle']
