import type { IncomingMessage } from 'node:http'

/** The request a proxy asks about, as its forward-auth contract reports it. */
export interface OriginalRequest {
  readonly method: string
  /** The request target as the client sent it: path and query, not yet normalised. */
  readonly target: string
}

/**
 * How one proxy's forward-auth contract reports the request it asks about, and how it carries a
 * refusal to the client. Each is documented by its proxy: nginx `auth_request`, Traefik `forwardAuth`,
 * Caddy `forward_auth`, Envoy `ext_authz` (HTTP service).
 */
export interface ProxyContract {
  /** The proxy, as metrics label it: `nginx`, `traefik`, `caddy`, `envoy`. */
  readonly name: string
  /** The decision endpoint's path (Envoy's is a prefix, followed by the original path). */
  readonly path: string
  /**
   * The original request, or the name of the header that is missing (the proxy's config does not
   * set it), from the decision request `req` whose URL is `url`.
   */
  original(req: IncomingMessage, url: string): OriginalRequest | { readonly missing: string }
  /**
   * Whether the proxy passes any answer of the decision endpoint to the client as it is (Traefik,
   * Caddy, Envoy), or only 401 and 403, so that a refusal is carried for an `error_page` (nginx).
   */
  readonly passesAnswers: boolean
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** Reads the original method and target from the two headers a proxy sets; either may be missing. */
function fromHeaders(methodHeader: string, targetHeader: string) {
  return (req: IncomingMessage): OriginalRequest | { readonly missing: string } => {
    const method = header(req, methodHeader)
    const target = header(req, targetHeader)
    if (method === undefined) return { missing: methodHeader }
    if (target === undefined) return { missing: targetHeader }
    return { method, target }
  }
}

/** nginx `auth_request`: the documented config sets `X-Original-Method` and `X-Original-URI` ($request_uri). */
export const nginxContract: ProxyContract = {
  name: 'nginx',
  path: '/auth/nginx',
  original: fromHeaders('x-original-method', 'x-original-uri'),
  passesAnswers: false,
}

/** Traefik `forwardAuth` and Caddy `forward_auth` both send `X-Forwarded-Method` and `X-Forwarded-Uri`. */
const forwarded = fromHeaders('x-forwarded-method', 'x-forwarded-uri')

/** Traefik `forwardAuth`: any non-2xx answer goes to the client as it is. */
export const traefikContract: ProxyContract = {
  name: 'traefik',
  path: '/auth/traefik',
  original: forwarded,
  passesAnswers: true,
}

/** Caddy `forward_auth`: any non-2xx answer goes to the client as it is. */
export const caddyContract: ProxyContract = {
  name: 'caddy',
  path: '/auth/caddy',
  original: forwarded,
  passesAnswers: true,
}

/**
 * Envoy `ext_authz` with an HTTP service and `path_prefix: /auth/envoy`: the decision request has the
 * original method, and the original path and query after the prefix. Exactly 200 allows.
 */
export const envoyContract: ProxyContract = {
  name: 'envoy',
  path: '/auth/envoy',
  original: (req, url) => {
    const target = url.slice('/auth/envoy'.length)
    return { method: req.method ?? 'GET', target: target === '' || target.startsWith('?') ? `/${target}` : target }
  },
  passesAnswers: true,
}

/** Every contract, by decision path. */
export const PROXY_CONTRACTS: readonly ProxyContract[] = [nginxContract, traefikContract, caddyContract, envoyContract]
