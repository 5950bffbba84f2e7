import type { FastifyPluginCallback, HTTPMethods, onRequestAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify'
import type { Principal, Verifier } from '../index.js'
import { tokenAnswer, toWebRequest } from './node-bridge.js'
import { connectionOf, inputOf } from './node-input.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by {@link authenticate}. */
    auth: Principal | undefined
  }
}

/** Options of the {@link latchkey} plugin. */
export interface LatchkeyPluginOptions {
  readonly verifier: Verifier
}

const methods: HTTPMethods[] = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS']

/**
 * Decorates requests with `auth` and serves the token endpoint, the JWKS and the RFC 8414 metadata at
 * the verifier's paths. Registered without encapsulation, like a `fastify-plugin` plugin.
 */
export const latchkey: FastifyPluginCallback<LatchkeyPluginOptions> = Object.assign(
  ((fastify, { verifier }, done) => {
    fastify.decorateRequest('auth', undefined)
    const answerToken: onRequestAsyncHookHandler = async (request, reply) => {
      const { status, headers, body } = await tokenAnswer(verifier, request.raw, request.url)
      // Bytes, not a string: Fastify would add a charset to the core's JSON content type.
      return reply.code(status).headers(headers).send(Buffer.from(body))
    }
    const answer: onRequestAsyncHookHandler = async (request, reply) =>
      reply.send(await verifier.handle(await toWebRequest(request.raw, request.url), connectionOf(request.raw)))
    for (const url of new Set(Object.values(verifier.paths))) {
      // Answered in onRequest, before Fastify parses (and limits) the body: the core reads it itself.
      const onRequest = url === verifier.paths.token ? answerToken : answer
      fastify.route({ method: methods, url, onRequest, handler: async () => undefined })
    }
    done()
  }) satisfies FastifyPluginCallback<LatchkeyPluginOptions>,
  { [Symbol.for('skip-override')]: true },
)

/** A `preHandler` hook that authenticates the request (Basic or Bearer) and sets `request.auth`. */
export function authenticate(verifier: Verifier): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const result = await verifier.authenticate(inputOf(request.raw, request.url))
    if (!result.ok) return reply.send(verifier.errorResponse(result.error))
    request.auth = result.principal
  }
}

/** A `preHandler` hook that lets a request through only when `request.auth` has every one of `scopes`. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    if (!request.auth) throw new Error('requireScopes() must come after authenticate().')
    const denied = verifier.checkScopes(request.auth, scopes)
    if (denied) return reply.send(verifier.errorResponse(denied))
  }
}
