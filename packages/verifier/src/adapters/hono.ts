import type { Context, MiddlewareHandler } from 'hono'
import type { AuthenticateRequestOptions, Principal, Verifier } from '../index.js'
import { requestOptions, toResponse, withHeaders } from '../index.js'
import { requestPathname } from '../request/request-pathname.js'
import { nodeServerAddress, nodeServerInput } from './hono-node-server.js'

/** The Hono environment the middleware sets: `c.get('auth')` is the authenticated caller. */
export interface LatchkeyEnv {
  Variables: { auth: Principal }
}

/** Options of {@link oauthRoutes}. */
export interface OAuthRoutesOptions {
  /**
   * The peer address throttling counts failures by, e.g. `(c) => getConnInfo(c).remote.address` with
   * your runtime's `getConnInfo`. Default: the socket address under `@hono/node-server`, else unknown.
   */
  readonly clientAddress?: (c: Context) => string | undefined
}

/** Options of {@link authenticate}. */
export interface AuthenticateOptions extends OAuthRoutesOptions, AuthenticateRequestOptions {
  /** Scopes the caller must all have, as with {@link requireScopes}. Default: none. */
  readonly scopes?: readonly string[]
}

/**
 * Authenticates the request (Basic or Bearer) and sets `c.get('auth')`; refuses the rest with the
 * core's answer. Fetch `Headers` join repeated `Authorization` lines (under @hono/node-server, read from
 * its Node request, they stay apart); the core refuses either.
 */
export function authenticate(verifier: Verifier, options: AuthenticateOptions = {}): MiddlewareHandler<LatchkeyEnv> {
  const addressOf = options.clientAddress ?? nodeServerAddress
  const asked = requestOptions(options)
  return async (c, next) => {
    const pending = verifier.authenticateNow(nodeServerInput(c) ?? c.req.raw, { clientAddress: addressOf(c) }, asked)
    const result = pending instanceof Promise ? await pending : pending
    const refusal = result.ok ? options.scopes && verifier.checkScopes(result.principal, options.scopes) : result.error
    if (refusal) return toResponse(verifier.answerError(refusal))
    if (result.ok) c.set('auth', result.principal)
    await next()
    if (result.ok && result.headers) c.res = withHeaders(c.res, result.headers)
  }
}

/** Lets a request through only when `c.get('auth')` has every one of `scopes`. Use after {@link authenticate}. */
export function requireScopes(verifier: Verifier, scopes: readonly string[]): MiddlewareHandler<LatchkeyEnv> {
  return async (c, next) => {
    const denied = verifier.checkScopes(c.get('auth') as Principal | undefined, scopes)
    if (denied) return toResponse(verifier.answerError(denied))
    await next()
  }
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata at the verifier's paths; other paths go on at once. */
export function oauthRoutes(verifier: Verifier, options: OAuthRoutesOptions = {}): MiddlewareHandler {
  const addressOf = options.clientAddress ?? nodeServerAddress
  const paths = new Set(Object.values(verifier.paths))
  return async (c, next) => {
    if (!paths.has(requestPathname(c.req.url))) return next()
    const answer = await verifier.answer(c.req.raw, { clientAddress: addressOf(c) })
    return answer ? toResponse(answer) : next()
  }
}
