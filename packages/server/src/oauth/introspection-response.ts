/**
 * The answer to an introspection request for an active token (RFC 7662 §2.2): the members the RFC
 * registers that a Latchkey access token has, `scope` as the token may still use it, and any other
 * verified claim of the token as it is (§2.2 lets a server add its own top-level members).
 */
export interface IntrospectionResponse {
  readonly active: true
  /** Space-separated (RFC 6749 §3.3): the token's scopes its key still has; absent when none is left. */
  readonly scope?: string
  /** The API key's id. */
  readonly client_id: string
  /** The API key's id, as RFC 9068 §2.2 has it for the client-credentials grant. */
  readonly sub: string
  readonly aud: string | readonly string[]
  readonly iss: string
  /** Seconds since the epoch. */
  readonly exp: number
  /** Seconds since the epoch. */
  readonly iat: number
  readonly jti: string
  readonly token_type: 'Bearer'
  readonly [claim: string]: unknown
}
