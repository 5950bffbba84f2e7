import type { Middleware, ParameterizedContext } from 'koa'
import type { Principal, Verifier } from '../index.js'
import { tokenAnswer, toWebRequest, writeResponse } from './node-bridge.js'
import { connectionOf, inputOf } from './node-input.js'

/** What the middleware puts in `ctx.state`: `auth` is the authenticated caller. */
export interface LatchkeyState {
  auth?: Principal
}

/** Authenticates the request (Basic or Bearer) and sets `ctx.state.auth`; refuses the rest with the core's answer. */
export function authenticate(verifier: Verifier): Middleware<LatchkeyState> {
  return async (ctx, next) => {
    const result = await verifier.authenticate(inputOf(ctx.req, ctx.originalUrl))
    if (!result.ok) return send(ctx, verifier.errorResponse(result.error))
    ctx.state.auth = result.principal
    await next()
  }
}

/** Lets a request through only when `ctx.state.auth` has every one of `scopes`. Use after {@link authenticate}. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): Middleware<LatchkeyState> {
  return async (ctx, next) => {
    if (!ctx.state.auth) throw new Error('requireScopes() must come after authenticate().')
    const denied = verifier.checkScopes(ctx.state.auth, scopes)
    if (denied) return send(ctx, verifier.errorResponse(denied))
    await next()
  }
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata at the verifier's paths. */
export function oauthRoutes(verifier: Verifier): Middleware {
  const paths = new Set(Object.values(verifier.paths))
  return async (ctx, next) => {
    if (!paths.has(ctx.path)) return next()
    if (ctx.path === verifier.paths.token) {
      // Koa's body handling keeps the core's answer as it is: it always has a body and a Content-Type.
      const { status, headers, body } = await tokenAnswer(verifier, ctx.req, ctx.originalUrl)
      ctx.status = status
      ctx.set(headers)
      ctx.body = body
      return
    }
    const response = await verifier.handle(await toWebRequest(ctx.req, ctx.originalUrl), connectionOf(ctx.req))
    if (!response) return next()
    await send(ctx, response)
  }
}

/**
 * Writes the core's answer as it is. Koa's own body handling would add a `Content-Type` to an empty
 * body and turn a null one into "No Content", so the answer bypasses it.
 */
function send(ctx: ParameterizedContext, response: Response): Promise<void> {
  ctx.respond = false
  return writeResponse(ctx.res, response)
}
