import type { Middleware, ParameterizedContext } from 'koa'
import type { HttpDescription, Principal, Verifier } from '../index.js'
import { closeIfAbandoned, tokenAnswer, toWebRequest, writeResponse } from './node-bridge.js'
import { connectionOf, inputOf, reencode } from './node-input.js'

/** What the middleware puts in `ctx.state`: `auth` is the authenticated caller. */
export interface LatchkeyState {
  auth?: Principal
}

/** Authenticates the request (Basic or Bearer) and sets `ctx.state.auth`; refuses the rest with the core's answer. */
export function authenticate(verifier: Verifier): Middleware<LatchkeyState> {
  return async (ctx, next) => {
    const result = await verifier.authenticate(inputOf(ctx.req, ctx.originalUrl))
    if (!result.ok) return answer(ctx, verifier.describeError(result.error))
    ctx.state.auth = result.principal
    await next()
  }
}

/** Lets a request through only when `ctx.state.auth` has every one of `scopes`. Use after {@link authenticate}. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): Middleware<LatchkeyState> {
  return async (ctx, next) => {
    if (!ctx.state.auth) throw new Error('requireScopes() must come after authenticate().')
    const denied = verifier.checkScopes(ctx.state.auth, scopes)
    if (denied) return answer(ctx, verifier.describeError(denied))
    await next()
  }
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata at the verifier's paths. */
export function oauthRoutes(verifier: Verifier): Middleware {
  const paths = new Set(Object.values(verifier.paths))
  return async (ctx, next) => {
    if (!paths.has(ctx.path)) return next()
    // A body parser mounted earlier (koa-bodyparser, @koa/bodyparser) has consumed the stream.
    const { body: parsed } = ctx.request as { body?: unknown }
    const body = ctx.req.readableEnded && parsed !== undefined ? reencode(parsed) : undefined
    if (ctx.path === verifier.paths.token)
      return answer(ctx, await tokenAnswer(verifier, ctx.req, ctx.originalUrl, body))
    const response = await verifier.handle(await toWebRequest(ctx.req, ctx.originalUrl, body), connectionOf(ctx.req))
    if (!response) return next()
    // Written as it is: Koa would add a Content-Type to an empty body and turn a null one into "No Content".
    ctx.respond = false
    await writeResponse(ctx.res, response)
  }
}

/** Koa's body handling keeps the core's answer as it is: it always has a body and a Content-Type. */
function answer(ctx: ParameterizedContext, { status, headers, body }: HttpDescription): void {
  closeIfAbandoned(ctx.res)
  ctx.status = status
  ctx.set(headers)
  ctx.body = body
}
