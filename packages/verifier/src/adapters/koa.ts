import type { Middleware, ParameterizedContext } from 'koa'
import type { AuthenticateRequestOptions, HttpAnswer, Principal, Verifier } from '../index.js'
import { requestOptions } from '../index.js'
import { connectionOf, inputOf, reencode } from './node-bridge/request-input.js'
import { closeIfAbandoned, endpointAnswer } from './node-bridge/write-answer.js'

/** What the middleware puts in `ctx.state`: `auth` is the authenticated caller. */
export interface LatchkeyState {
  auth?: Principal
}

/** Options of {@link authenticate}. */
export interface AuthenticateOptions extends AuthenticateRequestOptions {
  /** Scopes the caller must all have, as with {@link requireScopes}. Default: none. */
  readonly scopes?: readonly string[]
}

/** Authenticates the request (Basic or Bearer) and sets `ctx.state.auth`; refuses the rest with the core's answer. */
export function authenticate(verifier: Verifier, options: AuthenticateOptions = {}): Middleware<LatchkeyState> {
  const asked = requestOptions(options)
  return async (ctx, next) => {
    const pending = verifier.authenticateNow(inputOf(ctx.req, ctx.originalUrl), connectionOf(ctx.req), asked)
    const result = pending instanceof Promise ? await pending : pending
    const refusal = result.ok ? options.scopes && verifier.checkScopes(result.principal, options.scopes) : result.error
    if (refusal) return answer(ctx, verifier.answerError(refusal))
    if (result.ok) {
      if (result.headers) ctx.set(result.headers)
      ctx.state.auth = result.principal
    }
    await next()
  }
}

/** Lets a request through only when `ctx.state.auth` has every one of `scopes`. Use after {@link authenticate}. */
export function requireScopes(verifier: Verifier, scopes: readonly string[]): Middleware<LatchkeyState> {
  return async (ctx, next) => {
    const denied = verifier.checkScopes(ctx.state.auth, scopes)
    if (denied) return answer(ctx, verifier.answerError(denied))
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
    const reply = await endpointAnswer(verifier, ctx.req, ctx.originalUrl, body)
    return reply ? answer(ctx, reply) : next()
  }
}

/** Koa's body handling keeps the core's answer as it is: it always has a body and a Content-Type. */
function answer(ctx: ParameterizedContext, { status, headers, body }: HttpAnswer): void {
  closeIfAbandoned(ctx.res)
  ctx.status = status
  ctx.set(headers)
  ctx.body = body
}
