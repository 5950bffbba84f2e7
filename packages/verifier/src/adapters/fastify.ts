import type {
  FastifyPluginCallback,
  FastifyReply,
  HTTPMethods,
  onRequestAsyncHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify'
import type { HttpDescription, Principal, Verifier } from '../index.js'
import { closeIfAbandoned, tokenAnswer, toWebRequest } from './node-bridge.js'
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
    for (const path of new Set(Object.values(verifier.paths))) {
      // Answered in onRequest, before Fastify parses (and limits) the body: the core reads it itself.
      const onRequest: onRequestAsyncHookHandler = async ({ raw, url }, reply) => {
        if (path === verifier.paths.token) return answer(reply, await tokenAnswer(verifier, raw, url))
        const response = await verifier.handle(await toWebRequest(raw, url), connectionOf(raw))
        closeIfAbandoned(reply.raw)
        return reply.send(response)
      }
      fastify.route({ method: methods, url: path, onRequest, handler: async () => undefined })
    }
    done()
  }) satisfies FastifyPluginCallback<LatchkeyPluginOptions>,
  { [Symbol.for('skip-override')]: true },
)

/** A `preHandler` hook that authenticates the request (Basic or Bearer) and sets `request.auth`. */
export function authenticate(verifier: Verifier): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const result = await verifier.authenticate(inputOf(request.raw, request.url))
    if (!result.ok) return answer(reply, verifier.describeError(result.error))
    request.auth = result.principal
  }
}

/** A `preHandler` hook that lets a request through only when `request.auth` has every one of `scopes`. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    if (!request.auth) throw new Error('requireScopes() must come after authenticate().')
    const denied = verifier.checkScopes(request.auth, scopes)
    if (denied) return answer(reply, verifier.describeError(denied))
  }
}

/** Writes the core's answer as bytes, not a string: Fastify would add a charset to its JSON content type. */
function answer(reply: FastifyReply, { status, headers, body }: HttpDescription): FastifyReply {
  closeIfAbandoned(reply.raw)
  return reply.code(status).headers(headers).send(Buffer.from(body))
}
