import { assertUsable, isUsable } from '../basic/check-api-key.js'
import { isFinalRefusal, isForgery, type TokenSettings, verifyAccessToken } from '../bearer/access-token.js'
import type { RefusedTokenCache } from '../bearer/refused-token-cache.js'
import type { VerifiedToken, VerifiedTokenCache } from '../bearer/verified-token-cache.js'
import type { KeyLookup } from '../key-lookup/key-lookup.js'
import { bearerPrincipal, type Principal } from '../principal.js'
import { invalidToken } from '../refusals.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import type { FailureThrottle } from '../throttle/failure-throttle.js'
import { checkAddressThrottled } from '../throttle/throttled-check.js'

/** A principal with the key it was made from, as the lookup had it: what the usage limits read. */
export interface KeyedPrincipal {
  readonly key: ApiKeyCredential
  readonly principal: Principal
}

/** What a {@link BearerCheck} reads. */
export interface BearerCheckParts {
  readonly settings: TokenSettings
  readonly keys: KeyLookup
  readonly throttle: FailureThrottle | undefined
  readonly verifiedTokens: VerifiedTokenCache
  readonly refusedTokens: RefusedTokenCache
}

/**
 * Checks a Bearer access token (RFC 6750, RFC 9068) in two ways side by side: in full
 * ({@link BearerCheck.verify}, then {@link BearerCheck.principal}), and {@link BearerCheck.checkNow}
 * from memory alone for a token verified before. Both end with the revocation check: the token's key
 * and its account must be enabled now, on every request, and the key not expired, so a token never
 * outlives its key; nor the token revoked (RFC 7009), which the store lists with the key.
 */
export class BearerCheck {
  readonly #parts: BearerCheckParts

  constructor(parts: BearerCheckParts) {
    this.#parts = parts
  }

  /** `token` as verified before, when it is the exact same string and has not expired since. */
  verifiedNow(token: string): VerifiedToken | undefined {
    const { settings, verifiedTokens } = this.#parts
    return verifiedTokens.get(token, settings.now() / 1000, settings.clockTolerance)
  }

  /**
   * The claims of `token`, its signature and claims checked; `verified` is its
   * {@link BearerCheck.verifiedNow}, when the caller looked it up already. Throws `ERR_INVALID_TOKEN` or
   * `ERR_TOO_MANY_ATTEMPTS` (a forger's address).
   */
  async verify(
    token: string,
    clientAddress: () => string | undefined,
    verified = this.verifiedNow(token),
  ): Promise<VerifiedToken> {
    const { settings, throttle, verifiedTokens, refusedTokens } = this.#parts
    if (verified) {
      if (!(settings.ring.verifiesNow(verified.kid) ?? (await settings.ring.verifies(verified.kid)))) {
        // Its signing key has expired since: the token goes with it.
        throw invalidToken('token_invalid')
      }
      return verified
    }
    const refused = refusedTokens.get(token)
    if (refused) throw invalidToken(refused)
    let checked: VerifiedToken
    try {
      // Only a forger fails a signature check: such failures count against the client's address.
      checked = await checkAddressThrottled(
        throttle,
        clientAddress(),
        () => verifyAccessToken(settings, token),
        isForgery,
      )
    } catch (error) {
      if (isFinalRefusal(error) && error.reason) refusedTokens.add(token, error.reason)
      throw error
    }
    verifiedTokens.set(token, checked)
    return checked
  }

  /**
   * The principal of a token {@link BearerCheck.verify} vouched for, once its key (`claims.sub`) passes
   * the revocation check. Throws `ERR_INVALID_TOKEN` or `ERR_STORE_UNAVAILABLE`.
   */
  async principal(checked: VerifiedToken): Promise<KeyedPrincipal> {
    const { settings, keys } = this.#parts
    // From memory when it can answer at once, as for a reused token: no promise to settle.
    const known = keys.findNow(checked.claims.sub)
    const key = known ? known.credential : await keys.find(checked.claims.sub)
    if (!key) throw invalidToken('unknown_key')
    assertUsable(key, settings.now, 'ERR_INVALID_TOKEN')
    if (key.revokedTokens?.has(checked.claims.jti)) throw invalidToken('token_revoked')
    return principalOf(checked, key)
  }

  /**
   * {@link BearerCheck.principal} answered from memory for a token `verified` before, else `undefined`:
   * under a signing key that still verifies, of a key the lookup remembers as it is now, with it and
   * its account enabled. It never refuses: whatever memory cannot vouch for takes the full check.
   */
  checkNow(verified: VerifiedToken): KeyedPrincipal | undefined {
    const { settings, keys } = this.#parts
    if (settings.ring.verifiesNow(verified.kid) !== true) return undefined
    const key = keys.findNow(verified.claims.sub)?.credential
    if (!key || !isUsable(key, settings.now) || key.revokedTokens?.has(verified.claims.jti)) return undefined
    return principalOf(verified, key)
  }
}

/**
 * The principal of `verified` for `key`, made once per token and key object: the lookup replaces
 * the key object whenever it reads the key again (a change, an invalidation), so a reused token of
 * an unchanged key is answered with the principal it got before, frozen, since requests share it.
 */
function principalOf(verified: VerifiedToken, key: ApiKeyCredential): KeyedPrincipal {
  const made = verified.principal
  if (made?.key === key) return made
  const principal = bearerPrincipal(key, verified.claims)
  Object.freeze(principal.scopes)
  Object.freeze(principal)
  verified.principal = { key, principal }
  return verified.principal
}
