import type { FastifyPluginCallback, FastifyReply, onRequestAsyncHookHandler, preHandlerHookHandler } from 'fastify'
import type { AuthenticateRequestOptions, AuthenticationResult, HttpAnswer, Principal, Verifier } from '../index.js'
import { requestOptions } from '../index.js'
import { connectionOf, inputOf } from './node-bridge/request-input.js'
import { closeIfAbandoned, endpointAnswer, endpointMethods } from './node-bridge/write-answer.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by {@link authenticate}. */
    auth: Principal | undefined
  }
}

/** Options of {@link authenticate}. */
export interface AuthenticateOptions extends AuthenticateRequestOptions {
  /** Scopes the caller must all have, as with {@link requireScopes}. Default: none. */
  readonly scopes?: readonly string[]
}

/** A plugin (`app.register(oauthRoutes(verifier))`, not encapsulated) adding `request.auth` and the verifier's paths. */
export function oauthRoutes(verifier: Verifier): FastifyPluginCallback {
  const plugin: FastifyPluginCallback = (fastify, _options, done) => {
    fastify.decorateRequest('auth', undefined)
    // Answered in onRequest, before Fastify parses (and limits) the body: the core reads it itself.
    const onRequest: onRequestAsyncHookHandler = async ({ raw, url }, reply) => {
      const reached = await endpointAnswer(verifier, raw, url)
      if (reached) return answer(reply, reached)
    }
    for (const url of new Set(Object.values(verifier.paths))) {
      fastify.route({ method: endpointMethods, url, onRequest, handler: async () => undefined })
    }
    done()
  }
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true })
}

/** A `preHandler` hook that authenticates the request and sets `request.auth`; in the same turn when it can. */
export function authenticate(verifier: Verifier, options: AuthenticateOptions = {}): preHandlerHookHandler {
  const asked = requestOptions(options)
  return (request, reply, done) => {
    const decide = (result: AuthenticationResult): void => {
      const refusal = result.ok
        ? options.scopes && verifier.checkScopes(result.principal, options.scopes)
        : result.error
      if (refusal) return void answer(reply, verifier.answerError(refusal))
      if (result.ok && result.headers) reply.headers(result.headers)
      if (result.ok) request.auth = result.principal
      done()
    }
    const pending = verifier.authenticateNow(inputOf(request.raw, request.url), connectionOf(request.raw), asked)
    if (pending instanceof Promise) pending.then(decide, done)
    else decide(pending)
  }
}

/** A `preHandler` hook that lets a request through only when `request.auth` has every one of `scopes`. */
export function requireScopes(verifier: Verifier, scopes: readonly string[]): preHandlerHookHandler {
  return (request, reply, done) => {
    const denied = verifier.checkScopes(request.auth, scopes)
    if (denied) answer(reply, verifier.answerError(denied))
    else done()
  }
}

/** Writes the core's answer as bytes, not a string: Fastify would add a charset to its JSON content type. */
function answer(reply: FastifyReply, { status, headers, body }: HttpAnswer): FastifyReply {
  closeIfAbandoned(reply.raw)
  return reply.code(status).headers(headers).send(Buffer.from(body))
}
