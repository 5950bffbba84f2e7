/** RFC 9728 §2: the metadata of a protected resource, as Latchkey publishes it for the API it guards. */
export interface ProtectedResourceMetadata {
  /** The resource identifier: the verifier's audience, which its tokens carry as `aud`. */
  readonly resource: string
  /** The issuers whose tokens the resource accepts: this verifier's. */
  readonly authorization_servers: readonly string[]
  /** Only the `Authorization` header: a token in the query or the body is refused. */
  readonly bearer_methods_supported: readonly string[]
  readonly scopes_supported?: readonly string[]
  readonly resource_name?: string
  readonly resource_documentation?: string
}

/** What the protected-resource metadata says beyond what the verifier knows. */
export interface ProtectedResourceOptions {
  /** A name for people (RFC 9728 `resource_name`), e.g. "Acme API". Default: none. */
  readonly resourceName?: string
  /** A page for developers of clients (RFC 9728 `resource_documentation`), an absolute URL. Default: none. */
  readonly resourceDocumentation?: string
}

/**
 * The resource identifier `audience` when it can be one (RFC 9728 §1.2: an absolute http(s) URL
 * without fragment, and here without query, so that the metadata URL is unambiguous); throws a
 * `TypeError` otherwise.
 */
export function validResource(audience: string): string {
  const url = URL.canParse(audience) ? new URL(audience) : undefined
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new TypeError(
      'protectedResource needs an audience that is an absolute http(s) URL without query or fragment: it is the resource identifier (RFC 9728 §1.2).',
    )
  }
  return audience
}

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function protectedResourcePath(resource: string): string {
  const path = new URL(resource).pathname.replace(/\/$/, '')
  return `/.well-known/oauth-protected-resource${path}`
}

/** The absolute URL of the metadata of `resource`, which 401 challenges name (RFC 9728 §5.1). */
export function protectedResourceUrl(resource: string): string {
  return new URL(protectedResourcePath(resource), resource).href
}

/** The metadata document of `resource`, whose tokens `issuer` issues. */
export function protectedResourceMetadata(settings: {
  readonly resource: string
  readonly issuer: string
  readonly scopes?: readonly string[] | undefined
  readonly options: ProtectedResourceOptions
}): ProtectedResourceMetadata {
  const { resourceName, resourceDocumentation } = settings.options
  return {
    resource: settings.resource,
    authorization_servers: [settings.issuer],
    bearer_methods_supported: ['header'],
    ...(settings.scopes ? { scopes_supported: settings.scopes } : {}),
    ...(resourceName === undefined ? {} : { resource_name: resourceName }),
    ...(resourceDocumentation === undefined ? {} : { resource_documentation: resourceDocumentation }),
  }
}
