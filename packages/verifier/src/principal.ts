/** How a request proved who it is. */
export type AuthenticationMethod = 'basic' | 'bearer'

/** The caller a request was authenticated as. It never holds a secret or a token. */
export interface Principal {
  /** The API key's id (the OAuth2 `client_id`). */
  readonly keyId: string
  /** The account that owns the key. */
  readonly accountId: string
  /** The scopes this request may use: the key's scopes (Basic), or the token's that the key still has (Bearer). */
  readonly scopes: readonly string[]
  /** How the request authenticated. */
  readonly method: AuthenticationMethod
  /** The verified claims of the access token (Bearer only). */
  readonly claims?: Readonly<Record<string, unknown>>
}
