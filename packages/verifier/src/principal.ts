import type { ApiKeyRecord, Metadata } from './store/key-store.js'

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
  /** The key's name, as it is now; `null` when it has none. */
  readonly keyName: string | null
  /**
   * The key's metadata as it is now (a customer's plan, a tenant id), read with the key: no second
   * lookup. `{}` when it has none. Shared between requests: do not change it.
   */
  readonly metadata: Metadata
  /** The verified claims of the access token (Bearer only). */
  readonly claims?: Readonly<Record<string, unknown>>
}

/** What a principal is made from: the key as the lookup has it now. */
type PrincipalKey = Pick<ApiKeyRecord, 'id' | 'accountId' | 'scopes' | 'name' | 'metadata'>

/** The principal of a request that sent `key`'s id and secret. Internal. */
export function basicPrincipal(key: PrincipalKey): Principal {
  return {
    keyId: key.id,
    accountId: key.accountId,
    scopes: key.scopes,
    method: 'basic',
    keyName: key.name,
    metadata: key.metadata,
  }
}

/** The principal of a request that sent a token with `claims`, issued to `key`. Internal. */
export function bearerPrincipal(
  key: PrincipalKey,
  claims: Readonly<Record<string, unknown>> & { readonly scope?: string },
): Principal {
  const granted = claims.scope === undefined || claims.scope === '' ? [] : claims.scope.split(' ')
  return {
    keyId: key.id,
    accountId: key.accountId,
    // A token never carries more than its key has now: a narrowed key narrows its tokens at once.
    scopes: granted.filter((scope) => key.scopes.includes(scope)),
    method: 'bearer',
    keyName: key.name,
    metadata: key.metadata,
    claims,
  }
}
