import type { FastifyInstance } from 'fastify'
import { helloBody, noAuthTokenBody } from './listen.js'

/** The protected routes' handler on Fastify, the same as the no-auth route's: `{"ok":true}`, serialized by Fastify. */
export const fastifyHello = async (): Promise<typeof helloBody> => helloBody

/**
 * The Fastify equivalent of `addNoAuthRoutes` (no-auth-routes.ts): `GET /hello` and the form `POST
 * /oauth/token` under `prefix`, as plain routes in their own plugin, as Fastify apps add routes. A Fastify
 * route's hooks and parsers are resolved when the app is ready, so the plugin adds no per-request work.
 * Fastify parses no forms by default: the plugin's parser decodes them with `URLSearchParams`, as
 * `@fastify/formbody` would with its query-string parser.
 */
export function addFastifyNoAuthRoutes(app: FastifyInstance, prefix = ''): void {
  app.register(
    async (routes) => {
      routes.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_request, body, done) => {
          done(null, new URLSearchParams(body as string))
        },
      )
      routes.get('/hello', fastifyHello)
      // The POST baseline of the token endpoints: parse a form, answer JSON that must not be cached.
      routes.post('/oauth/token', async (request, reply) => {
        reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' })
        return noAuthTokenBody((request.body as URLSearchParams).get('grant_type'))
      })
    },
    { prefix },
  )
}
