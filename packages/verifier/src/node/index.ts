// The verifier as Node loads it (the `node` condition of `@latchkey/verifier`'s exports): the core
// with what only Node has, access tokens verified in the same turn through `node:crypto`.
import { createVerifierOn } from '../create-verifier.js'
import type { Verifier } from '../verifier.js'
import type { VerifierOptions } from '../verifier-options.js'
import { verifyTokenNow } from './verify-token-now.js'

export * from '../index.js'

/**
 * Creates a {@link Verifier}. Cheap: signing keys are loaded, or generated, on first use. On Node,
 * access tokens are verified through `node:crypto`, in the same turn, answering exactly as the
 * Web Crypto verification of the other runtimes does.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return createVerifierOn(nodePlatform, options)
}

const nodePlatform = { verifyTokenNow }
