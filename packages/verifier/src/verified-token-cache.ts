import type { AccessTokenClaims } from './access-token.js'

/** A verified token: its claims and the signing key that verified it. */
export interface VerifiedToken {
  readonly claims: AccessTokenClaims
  readonly kid: string
}

/**
 * Tokens whose signature and claims were already verified, keyed by the exact token string and
 * dropped at `exp`. A client-credentials token is reused for up to its whole lifetime, so nearly every
 * Bearer request hits this cache and skips the signature check. Revocation is unaffected: the key's
 * status is still read on every request. Bounded: when full, the oldest entry goes.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>()
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  /** `token` as verified, if it was and is not expired at `nowSeconds` (with `tolerance` s). */
  get(token: string, nowSeconds: number, tolerance: number): VerifiedToken | undefined {
    const verified = this.#entries.get(token)
    if (verified && verified.claims.exp + tolerance <= nowSeconds) {
      this.#entries.delete(token)
      return undefined
    }
    return verified
  }

  set(token: string, verified: VerifiedToken): void {
    if (this.#capacity <= 0) return
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(token, verified)
  }
}
