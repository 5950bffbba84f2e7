import fastifyBasicAuth, { type FastifyBasicAuthOptions } from '@fastify/basic-auth'
import type { FastifyInstance } from 'fastify'
import { readFixture } from '../fixture.js'
import { fastifyHello } from './fastify-no-auth-routes.js'

/**
 * Adds `GET path` behind @fastify/basic-auth 6 as its README sets it up (an async `validate`, the route's
 * `onRequest` hook), comparing the fixture's key id and secret in plain text: the hot-path anchor of
 * issue #22. In its own plugin, since the plugin decorates its instance with one `basicAuth` hook; with
 * `validate` given, the scope's other routes are not protected.
 */
export function addFastifyPlainCompare(
  app: FastifyInstance,
  path: string,
  validate: FastifyBasicAuthOptions['validate'] = plainValidate(),
): void {
  app.register(async (scope) => {
    await scope.register(fastifyBasicAuth, { validate })
    scope.get(path, { onRequest: scope.basicAuth }, fastifyHello)
  })
}

/** A `validate` that compares the fixture's key id and secret in plain text. */
function plainValidate(): FastifyBasicAuthOptions['validate'] {
  const { keyId, secret } = readFixture()
  return async (username, password) => {
    if (username !== keyId || password !== secret) return new Error('Unauthorized')
  }
}
