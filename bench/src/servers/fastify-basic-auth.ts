// Anchors: @fastify/basic-auth 6 as its README sets it up (an async `validate`, the route's `onRequest`
// hook), with the secret in plain text (`/hello`), and with the hash Latchkey stores, SHA-256 compared in
// constant time, looked up in a Map by key id (`/sha256/hello`). Each in its own plugin, since the plugin
// decorates its instance with one `basicAuth` hook.
import { createHash, timingSafeEqual } from 'node:crypto'
import fastifyBasicAuth, { type FastifyBasicAuthOptions } from '@fastify/basic-auth'
import Fastify from 'fastify'
import { readFixture } from '../fixture.js'
import { addFastifyNoAuthRoutes, fastifyHello } from './fastify-no-auth-routes.js'
import { listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest()
const hashes = new Map([[fixture.keyId, sha256(fixture.secret)]])

const plain: FastifyBasicAuthOptions['validate'] = async (username, password) => {
  if (username !== fixture.keyId || password !== fixture.secret) return new Error('Unauthorized')
}
const hashed: FastifyBasicAuthOptions['validate'] = async (username, password) => {
  const hash = hashes.get(username)
  if (!hash || !timingSafeEqual(sha256(password), hash)) return new Error('Unauthorized')
}

const app = Fastify()
addFastifyNoAuthRoutes(app, noAuthPrefix)
for (const [path, validate] of [
  ['/hello', plain],
  ['/sha256/hello', hashed],
] as const) {
  app.register(async (scope) => {
    await scope.register(fastifyBasicAuth, { validate })
    scope.get(path, { onRequest: scope.basicAuth }, fastifyHello)
  })
}
await app.ready()
listen(app.server)
