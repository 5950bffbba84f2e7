import { isWellFormedCredential } from '../basic/api-key.js'
import type { BasicCredentials } from '../basic/basic-credentials.js'
import { checkApiKey, isUsable } from '../basic/check-api-key.js'
import type { KnownBasic, VerifiedSecretCache } from '../basic/verified-secret-cache.js'
import { isLatchkeyError } from '../errors.js'
import type { KeyLookup } from '../key-lookup/key-lookup.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import type { FailureThrottle } from '../throttle/failure-throttle.js'
import { admitsNow, checkThrottled } from '../throttle/throttled-check.js'

/** An API key id and secret as presented. */
export interface PresentedKey {
  readonly keyId: string
  readonly secret: string
}

/** What an {@link ApiKeyCheck} reads. */
export interface ApiKeyCheckParts {
  readonly keys: KeyLookup
  readonly throttle: FailureThrottle | undefined
  readonly verifiedSecrets: VerifiedSecretCache
  /** The clock, in ms since the epoch, that keys' expiry is compared with. */
  readonly now: () => number
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
   *
   * With an `alternative` (the same credentials in another encoding, see `clientCredentials`), both
   * are checked in full, whatever the first one's outcome, so the time taken does not tell which
   * matched; the first that passes is the answer, and a failure is counted once.
   */
  check(
    keyId: string,
    secret: string,
    clientAddress: string | undefined,
    alternative?: PresentedKey,
  ): Promise<ApiKeyCredential> {
    const { keys, throttle, verifiedSecrets, now } = this.#parts
    const checkOne = (presented: PresentedKey) =>
      checkApiKey(keys.findPresented, presented.keyId, presented.secret, verifiedSecrets, now)
    return checkThrottled(throttle, { keyId, address: clientAddress }, () =>
      alternative === undefined ? checkOne({ keyId, secret }) : checkEither(checkOne, { keyId, secret }, alternative),
    )
  }

  /**
   * The Basic credentials of `authorization` and the stored hash they matched, if it carried a secret
   * that matched before, without decoding it again; else `undefined`.
   */
  knownCredentials(authorization: string): KnownBasic | undefined {
    return this.#parts.verifiedSecrets.knownHeader(authorization)
  }

  /** Remembers the Basic credentials `authorization` parsed as, after {@link ApiKeyCheck.checkNow} admitted them for `key`. */
  rememberCredentials(authorization: string, credentials: BasicCredentials, key: ApiKeyCredential): void {
    this.#parts.verifiedSecrets.rememberHeader(authorization, credentials, key.secretHash)
  }

  /**
   * {@link ApiKeyCheck.check} answered from memory, else `undefined`: no store read, no hash, nothing
   * awaited. It answers only for a secret that matched this key's stored hash before, from a client
   * the throttle has nothing on record for, of a key the lookup remembers as it is now, with it and its
   * account enabled. It never refuses: whatever memory cannot vouch for takes the full check.
   */
  checkNow(keyId: string, secret: string, clientAddress: string | undefined): ApiKeyCredential | undefined {
    if (!isWellFormedCredential(keyId) || !isWellFormedCredential(secret)) return undefined
    const key = this.#usableNow(keyId, clientAddress)
    return key && this.#parts.verifiedSecrets.matches(keyId, secret, key.secretHash) ? key : undefined
  }

  /**
   * {@link ApiKeyCheck.checkNow} for credentials remembered with the hash they matched: they were well
   * formed then, and their secret still matches while the key's stored hash is that one.
   */
  checkKnownNow(
    { credentials, secretHash }: KnownBasic,
    clientAddress: string | undefined,
  ): ApiKeyCredential | undefined {
    const key = this.#usableNow(credentials.userId, clientAddress)
    return key?.secretHash === secretHash ? key : undefined
  }

  /** The key of `keyId` from memory, enabled with its account, for a client the throttle has nothing on record for. */
  #usableNow(keyId: string, clientAddress: string | undefined): ApiKeyCredential | undefined {
    const { keys, throttle, now } = this.#parts
    if (!admitsNow(throttle, { keyId, address: clientAddress })) return undefined
    const key = keys.findNow(keyId)?.credential
    return key && isUsable(key, now) ? key : undefined
  }
}

/**
 * Checks `first` and `second` one after the other, both in full, and answers the first that passes.
 * When neither does, a failure other than a refusal of the credentials (the store is down, say) wins,
 * so the answer fails closed; else `first`'s refusal is the answer.
 */
async function checkEither(
  checkOne: (presented: PresentedKey) => Promise<ApiKeyCredential>,
  first: PresentedKey,
  second: PresentedKey,
): Promise<ApiKeyCredential> {
  const outcomes = [await settle(checkOne(first)), await settle(checkOne(second))]
  const passed = outcomes.find((outcome) => outcome.ok)
  if (passed?.ok) return passed.key
  const failures = outcomes.map((outcome) => (outcome.ok ? undefined : outcome.error))
  throw failures.find((error) => !isLatchkeyError(error) || error.code !== 'ERR_INVALID_CREDENTIALS') ?? failures[0]
}

type Outcome = { readonly ok: true; readonly key: ApiKeyCredential } | { readonly ok: false; readonly error: unknown }

function settle(check: Promise<ApiKeyCredential>): Promise<Outcome> {
  return check.then(
    (key) => ({ ok: true, key }),
    (error: unknown) => ({ ok: false, error }),
  )
}
