import type {
  FastifyPluginCallback,
  FastifyReply,
  onRequestAsyncHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify'
import type { AuthenticateRequestOptions, HttpAnswer, Principal, Verifier } from '../index.js'
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

/**
 * A plugin (`app.register(oauthRoutes(verifier))`, not encapsulated, like a `fastify-plugin` one) that
 * decorates requests with `auth` and serves the verifier's paths, on every method (the core answers the wrong ones).
 */
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

/** A `preHandler` hook that authenticates the request (Basic or Bearer) and sets `request.auth`. */
export function authenticate(verifier: Verifier, options: AuthenticateOptions = {}): preHandlerAsyncHookHandler {
  const asked = requestOptions(options)
  return async (request, reply) => {
    const pending = verifier.authenticateNow(inputOf(request.raw, request.url), connectionOf(request.raw), asked)
    const result = pending instanceof Promise ? await pending : pending
    const refusal = result.ok ? options.scopes && verifier.checkScopes(result.principal, options.scopes) : result.error
    if (refusal) return answer(reply, verifier.answerError(refusal))
    if (result.ok && result.headers) reply.headers(result.headers)
    if (result.ok) request.auth = result.principal
  }
}

/** A `preHandler` hook that lets a request through only when `request.auth` has every one of `scopes`. */
export function requireScopes(verifier: Verifier, scopes: readonly string[]): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const denied = verifier.checkScopes(request.auth, scopes)
    if (denied) return answer(reply, verifier.answerError(denied))
  }
}

/** Writes the core's answer as bytes, not a string: Fastify would add a charset to its JSON content type. */
function answer(reply: FastifyReply, { status, headers, body }: HttpAnswer): FastifyReply {
  closeIfAbandoned(reply.raw)
  return reply.code(status).headers(headers).send(Buffer.from(body))
}
