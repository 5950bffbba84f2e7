// Anchors: @fastify/basic-auth 6 as its README sets it up, with the secret in plain text (`/hello`), and
// with the hash Latchkey stores, SHA-256 compared in constant time, looked up in a Map by key id
// (`/sha256/hello`).
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyBasicAuthOptions } from '@fastify/basic-auth'
import Fastify from 'fastify'
import { readFixture } from '../fixture.js'
import { addFastifyNoAuthRoutes } from './fastify-no-auth-routes.js'
import { addFastifyPlainCompare } from './fastify-plain-compare.js'
import { listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest()
const hashes = new Map([[fixture.keyId, sha256(fixture.secret)]])

const hashed: FastifyBasicAuthOptions['validate'] = async (username, password) => {
  const hash = hashes.get(username)
  if (!hash || !timingSafeEqual(sha256(password), hash)) return new Error('Unauthorized')
}

const app = Fastify()
addFastifyNoAuthRoutes(app, noAuthPrefix)
addFastifyPlainCompare(app, '/hello')
addFastifyPlainCompare(app, '/sha256/hello', hashed)
await app.ready()
listen(app.server)
