import { isWellFormedCredential } from '../basic/api-key.js'
import { checkApiKey, isUsable } from '../basic/check-api-key.js'
import type { VerifiedSecretCache } from '../basic/verified-secret-cache.js'
import type { KeyLookup } from '../key-lookup/key-lookup.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import type { FailureThrottle } from '../throttle/failure-throttle.js'
import { admitsNow, checkThrottled } from '../throttle/throttled-check.js'

/** What an {@link ApiKeyCheck} reads. */
export interface ApiKeyCheckParts {
  readonly keys: KeyLookup
  readonly throttle: FailureThrottle | undefined
  readonly verifiedSecrets: VerifiedSecretCache
}

/**
 * Checks a presented API key id and secret (Basic on a resource, client authentication at the token
 * endpoint), in two ways side by side: {@link ApiKeyCheck.check} in full, under brute-force
 * throttling, and {@link ApiKeyCheck.checkNow} from memory alone, which answers only what the full
 * check would and only when it can say so in the same turn.
 */
export class ApiKeyCheck {
  readonly #parts: ApiKeyCheckParts

  constructor(parts: ApiKeyCheckParts) {
    this.#parts = parts
  }

  /**
   * The key, when `secret` is its secret and it and its account are enabled. Throws
   * `ERR_INVALID_CREDENTIALS`, `ERR_TOO_MANY_ATTEMPTS` or `ERR_STORE_UNAVAILABLE`. `clientAddress` is
   * the resolved client address, when known, which throttling counts failures by.
   */
  check(keyId: string, secret: string, clientAddress: string | undefined): Promise<ApiKeyCredential> {
    const { keys, throttle, verifiedSecrets } = this.#parts
    return checkThrottled(throttle, { keyId, address: clientAddress }, () =>
      checkApiKey(keys.findPresented, keyId, secret, verifiedSecrets),
    )
  }

  /**
   * {@link ApiKeyCheck.check} answered from memory, else `undefined`: no store read, no hash, nothing
   * awaited. It answers only for a secret that matched this key's stored hash before, from a client
   * the throttle has nothing on record for, of a key the lookup remembers as it is now, with it and its
   * account enabled. It never refuses: whatever memory cannot vouch for takes the full check.
   */
  checkNow(keyId: string, secret: string, clientAddress: string | undefined): ApiKeyCredential | undefined {
    const { keys, throttle, verifiedSecrets } = this.#parts
    if (!isWellFormedCredential(keyId) || !isWellFormedCredential(secret)) return undefined
    if (!admitsNow(throttle, { keyId, address: clientAddress })) return undefined
    const key = keys.findNow(keyId)?.credential
    return key && isUsable(key) && verifiedSecrets.matches(keyId, secret, key.secretHash) ? key : undefined
  }
}
