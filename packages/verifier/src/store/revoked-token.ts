/** An access token revoked before its expiry (RFC 7009), as a store remembers it. */
export interface RevokedToken {
  /** The token's `jti` claim: unique among the tokens of its key. */
  readonly jti: string
  /** The key the token was issued to: its `client_id`. */
  readonly keyId: string
  /**
   * When no verifier would accept the token anyway: its `exp` plus the verifiers' clock tolerance.
   * After it, the store may forget the revocation.
   */
  readonly expiresAt: Date
}
