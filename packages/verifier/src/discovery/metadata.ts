/** RFC 8414 authorization server metadata, as Latchkey publishes it. */
export interface AuthorizationServerMetadata {
  readonly issuer: string
  readonly token_endpoint: string
  readonly jwks_uri: string
  readonly grant_types_supported: readonly string[]
  readonly token_endpoint_auth_methods_supported: readonly string[]
  /** RFC 8414 §2 requires it; this server has no authorization endpoint, so it supports none. */
  readonly response_types_supported: readonly string[]
  readonly scopes_supported?: readonly string[]
}

/** The metadata document for an issuer whose endpoints live at the given paths. */
export function authorizationServerMetadata(options: {
  readonly issuer: string
  readonly tokenPath: string
  readonly jwksPath: string
  readonly scopes?: readonly string[] | undefined
}): AuthorizationServerMetadata {
  const base = options.issuer.endsWith('/') ? options.issuer : `${options.issuer}/`
  return {
    issuer: options.issuer,
    token_endpoint: new URL(options.tokenPath.replace(/^\//, ''), base).href,
    jwks_uri: new URL(options.jwksPath.replace(/^\//, ''), base).href,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    response_types_supported: [],
    ...(options.scopes ? { scopes_supported: options.scopes } : {}),
  }
}
