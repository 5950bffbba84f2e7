import type { Context, MiddlewareHandler } from 'hono'
import type { Principal, Verifier } from '../index.js'

/** The Hono environment the middleware sets: `c.get('auth')` is the authenticated caller. */
export interface LatchkeyEnv {
  Variables: {
    auth: Principal
  }
}

/** Options of {@link authenticate} and {@link oauthRoutes}. */
export interface HonoOptions {
  /**
   * The connection's peer address, which throttling counts failures by: e.g. `(c) =>
   * getConnInfo(c).remote.address` with your runtime's `getConnInfo`. Default: the socket address
   * under `@hono/node-server`, else unknown.
   */
  readonly clientAddress?: (c: Context) => string | undefined
}

/** What `@hono/node-server` puts in `c.env` (or `c.env.server`), as its own `getConnInfo` reads it. */
interface NodeBindings {
  readonly incoming?: { readonly socket?: { readonly remoteAddress?: string } }
  readonly server?: NodeBindings
}
const nodeServerAddress = (c: Context): string | undefined => {
  const env = c.env as NodeBindings | undefined
  return (env?.server ?? env)?.incoming?.socket?.remoteAddress
}

/**
 * Authenticates the request (Basic or Bearer) and sets `c.get('auth')`; refuses the rest with the
 * core's answer. Fetch `Headers` join repeated `Authorization` lines; the core refuses the joined value.
 */
export function authenticate(verifier: Verifier, options: HonoOptions = {}): MiddlewareHandler<LatchkeyEnv> {
  const addressOf = options.clientAddress ?? nodeServerAddress
  return async (c, next) => {
    const result = await verifier.authenticate(c.req.raw, { clientAddress: addressOf(c) })
    if (!result.ok) return verifier.errorResponse(result.error)
    c.set('auth', result.principal)
    await next()
  }
}

/** Lets a request through only when `c.get('auth')` has every one of `scopes`. Use after {@link authenticate}. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): MiddlewareHandler<LatchkeyEnv> {
  return async (c, next) => {
    const principal = c.get('auth') as Principal | undefined
    if (!principal) throw new Error('requireScopes() must come after authenticate().')
    const denied = verifier.checkScopes(principal, scopes)
    if (denied) return verifier.errorResponse(denied)
    await next()
  }
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata at the verifier's paths. */
export function oauthRoutes(verifier: Verifier, options: HonoOptions = {}): MiddlewareHandler {
  const addressOf = options.clientAddress ?? nodeServerAddress
  return async (c, next) => {
    const response = await verifier.handle(c.req.raw, { clientAddress: addressOf(c) })
    return response ?? next()
  }
}
