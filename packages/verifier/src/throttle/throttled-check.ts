import { isLatchkeyError, LatchkeyError } from '../errors.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import { type CounterKeys, counterKeys, networkOf, type ThrottleSubject } from './counter-keys.js'
import type { FailureThrottle, ThrottleBlock } from './failure-throttle.js'

/**
 * Checks credentials through `check` under `throttle`: a blocked address (or address and key id) is
 * refused before any lookup; a blocked key id still has its credentials checked, so a correct secret
 * passes and a wrong one gets 429. Every refusal of the credentials themselves is counted, whatever
 * its reason, so that unknown ids, wrong secrets and disabled keys stay indistinguishable.
 */
export async function checkThrottled(
  throttle: FailureThrottle | undefined,
  subject: ThrottleSubject,
  check: () => Promise<ApiKeyCredential>,
): Promise<ApiKeyCredential> {
  if (!throttle) return check()
  const keys = counterKeys(subject)
  const admission = await throttle.admit(keys)
  if (admission.blocked) throw tooManyAttempts(admission.blocked)
  let key: ApiKeyCredential
  try {
    key = await check()
  } catch (error) {
    if (!isLatchkeyError(error) || error.code !== 'ERR_INVALID_CREDENTIALS') throw error
    await throttle.recordFailure(keys)
    throw admission.keyBlocked ? tooManyAttempts(admission.keyBlocked, error) : error
  }
  if (admission.pairFailing) await throttle.recordSuccess(keys)
  return key
}

/**
 * Whether `throttle` would admit `subject` with nothing to read and nothing to undo after a success
 * ({@link FailureThrottle.admitsNow}), so that a check from memory may stand in for
 * {@link checkThrottled}; `true` without a throttle.
 */
export function admitsNow(throttle: FailureThrottle | undefined, subject: ThrottleSubject): boolean {
  return throttle === undefined || throttle.holdsNone() || throttle.admitsNow(counterKeys(subject))
}

/**
 * Runs a check that only a forger fails (a Bearer token's signature check) under `throttle`, counting
 * by client address alone: a blocked address is refused with 429 before the check, and every failure
 * `counts` picks is counted against the address, with the failed credential checks of
 * {@link checkThrottled}. Without a known address, `check` runs unthrottled.
 */
export async function checkAddressThrottled<T>(
  throttle: FailureThrottle | undefined,
  address: string | undefined,
  check: () => T | Promise<T>,
  counts: (error: unknown) => boolean,
): Promise<T> {
  if (!throttle || address === undefined) return check()
  const keys: CounterKeys = { address: networkOf(address) }
  // Nothing on record for the address, as an in-process limiter knows without a read: nothing to wait for.
  if (!throttle.admitsNow(keys)) {
    const { blocked } = await throttle.admit(keys)
    if (blocked) throw tooManyAttempts(blocked)
  }
  try {
    return await check()
  } catch (error) {
    if (counts(error)) await throttle.recordFailure(keys)
    throw error
  }
}

function tooManyAttempts(block: ThrottleBlock, refusal?: LatchkeyError): LatchkeyError {
  return new LatchkeyError('ERR_TOO_MANY_ATTEMPTS', 'Too many failed attempts: retry after Retry-After seconds.', {
    retryAfter: block.retryAfter,
    limit: block.limit,
    ...(refusal ? { cause: refusal, ...(refusal.reason ? { reason: refusal.reason } : {}) } : {}),
  })
}
