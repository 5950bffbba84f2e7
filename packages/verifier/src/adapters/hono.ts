import type { MiddlewareHandler } from 'hono'
import type { Principal, Verifier } from '../index.js'

/** The Hono environment the middleware sets: `c.get('auth')` is the authenticated caller. */
export interface LatchkeyEnv {
  Variables: {
    auth: Principal
  }
}

/**
 * Authenticates the request (Basic or Bearer) and sets `c.get('auth')`; refuses the rest with the
 * core's answer. Fetch `Headers` join repeated `Authorization` lines; the core refuses the joined value.
 */
export function authenticate(verifier: Verifier): MiddlewareHandler<LatchkeyEnv> {
  return async (c, next) => {
    const result = await verifier.authenticate(c.req.raw)
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
export function oauthRoutes(verifier: Verifier): MiddlewareHandler {
  return async (c, next) => {
    const response = await verifier.handle(c.req.raw)
    return response ?? next()
  }
}
