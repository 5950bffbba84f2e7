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

/** The principal of a request that sent `key`'s id and secret. Internal. */
export function basicPrincipal(key: {
  readonly id: string
  readonly accountId: string
  readonly scopes: readonly string[]
}): Principal {
  return { keyId: key.id, accountId: key.accountId, scopes: key.scopes, method: 'basic' }
}

/** The principal of a request that sent a token with `claims`, issued to `key`. Internal. */
export function bearerPrincipal(
  key: { readonly id: string; readonly accountId: string; readonly scopes: readonly string[] },
  claims: Readonly<Record<string, unknown>> & { readonly scope?: string },
): Principal {
  const granted = claims.scope === undefined || claims.scope === '' ? [] : claims.scope.split(' ')
  return {
    keyId: key.id,
    accountId: key.accountId,
    // A token never carries more than its key has now.
    scopes: granted.filter((scope) => key.scopes.includes(scope)),
    method: 'bearer',
    claims,
  }
}
