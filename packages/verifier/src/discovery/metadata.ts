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
  /** RFC 7009 §2 and RFC 8414 §2. */
  readonly revocation_endpoint: string
  readonly revocation_endpoint_auth_methods_supported: readonly string[]
  /** RFC 7662 §2 and RFC 8414 §2, when an introspection endpoint is configured. */
  readonly introspection_endpoint?: string
  readonly introspection_endpoint_auth_methods_supported?: readonly string[]
}

/** The metadata document for an issuer whose endpoints live at the given paths. */
export function authorizationServerMetadata(options: {
  readonly issuer: string
  readonly tokenPath: string
  readonly jwksPath: string
  readonly revocationPath: string
  readonly introspectionEndpoint?: string | undefined
  readonly scopes?: readonly string[] | undefined
}): AuthorizationServerMetadata {
  const base = options.issuer.endsWith('/') ? options.issuer : `${options.issuer}/`
  const at = (path: string) => new URL(path.replace(/^\//, ''), base).href
  return {
    issuer: options.issuer,
    token_endpoint: at(options.tokenPath),
    jwks_uri: at(options.jwksPath),
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: clientAuthMethods,
    response_types_supported: [],
    ...(options.scopes ? { scopes_supported: options.scopes } : {}),
    revocation_endpoint: at(options.revocationPath),
    revocation_endpoint_auth_methods_supported: clientAuthMethods,
    ...(options.introspectionEndpoint === undefined
      ? {}
      : {
          introspection_endpoint: options.introspectionEndpoint,
          introspection_endpoint_auth_methods_supported: clientAuthMethods,
        }),
  }
}

/** How clients authenticate at every endpoint of this server (RFC 6749 §2.3.1). */
const clientAuthMethods: readonly string[] = ['client_secret_basic', 'client_secret_post']
