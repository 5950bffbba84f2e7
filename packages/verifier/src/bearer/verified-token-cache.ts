import { LruMap } from 'toad-cache'
import type { Principal } from '../principal.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import type { AccessTokenClaims } from './access-token-claims.js'

/** A verified token: its claims and the signing key that verified it. */
export interface VerifiedToken {
  readonly claims: AccessTokenClaims
  readonly kid: string
  /**
   * The principal last made for it, and the key (as the lookup had it) it was made from: a token
   * reused while its key is unchanged gets the same principal. Set by `BearerCheck`.
   */
  principal?: { readonly key: ApiKeyCredential; readonly principal: Principal }
}

/**
 * Tokens whose signature and claims were already verified, keyed by the exact token string and
 * dropped at `exp`. A client-credentials token is reused for up to its whole lifetime, so nearly every
 * Bearer request hits this cache and skips the signature check. Revocation is unaffected: the key's
 * status is still read on every request. Bounded: when full, the least recently used entry goes.
 *
 * A token is remembered at its second verification, not its first: a token used once (a client that
 * fetches a token per call) would only churn the cache, and every entry kept for nothing outlives the
 * young generation and costs the garbage collector (about 60–80 µs of server CPU per new token under
 * load, measured in docs/performance.md). A token reused is checked twice, then never again.
 */
export class VerifiedTokenCache {
  /**
   * Keyed by the signature part alone, which is shorter to hash than the whole token (about 86 of
   * 600 characters) and as distinct; a hit still requires the whole token to be the same string.
   */
  readonly #entries: LruMap<Entry>
  readonly #capacity: number
  /**
   * Tokens verified once, by the first {@link markLength} characters of their signature: a slice that
   * short is a copy, so it keeps no token alive. Cleared when it holds `capacity` marks. Two tokens
   * sharing a mark only make the second one remembered at once; a hit still needs the whole token.
   */
  readonly #seen = new Set<string>()

  constructor(capacity: number) {
    this.#capacity = capacity
    this.#entries = new LruMap(Math.max(1, capacity))
  }

  /** `token` as verified, if it was and is not expired at `nowSeconds` (with `tolerance` s). */
  get(token: string, nowSeconds: number, tolerance: number): VerifiedToken | undefined {
    const signature = signatureOf(token)
    const entry = this.#entries.get(signature)
    if (!entry || entry.token !== token) return undefined
    if (entry.verified.claims.exp + tolerance <= nowSeconds) {
      this.#entries.delete(signature)
      return undefined
    }
    return entry.verified
  }

  /** Notes that `token` verified as `verified`: remembered from its second verification on. */
  set(token: string, verified: VerifiedToken): void {
    if (this.#capacity <= 0) return
    const signature = signatureOf(token)
    const mark = signature.slice(0, markLength)
    if (!this.#seen.has(mark)) {
      if (this.#seen.size >= this.#capacity) this.#seen.clear()
      this.#seen.add(mark)
      return
    }
    this.#seen.delete(mark)
    this.#entries.set(signature, { token, verified })
  }
}

/** V8 copies slices shorter than 13 characters; 12 base64url characters of a signature are 72 bits. */
const markLength = 12

interface Entry {
  readonly token: string
  readonly verified: VerifiedToken
}

/** What follows the last dot: a JWS's signature. */
function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1)
}
