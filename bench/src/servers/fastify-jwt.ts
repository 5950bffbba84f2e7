// Anchor: @fastify/jwt 10 verifying Latchkey's EdDSA tokens with the fixture's public key, with the
// checks Latchkey makes (algorithm, `typ: at+jwt`, iss, aud, exp), as its README sets it up
// (`request.jwtVerify()` in the route's `onRequest`): without its cache at `/hello`, and with it (`cache:
// true`, 1,000 tokens, least recently used out first) at `/cached/hello`. Each in its own plugin, since
// the plugin decorates its instance with one `jwt`.
import { createPublicKey } from 'node:crypto'
import fastifyJwt, { type FastifyJWTOptions } from '@fastify/jwt'
import Fastify, { type FastifyRequest } from 'fastify'
import { readFixture } from '../fixture.js'
import { addFastifyNoAuthRoutes, fastifyHello } from './fastify-no-auth-routes.js'
import { listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const jwk = fixture.jwks.keys[0]
if (!jwk) throw new Error('The fixture has no signing key.')
const publicKey = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string
const verify = {
  algorithms: ['EdDSA'],
  allowedIss: fixture.issuer,
  allowedAud: fixture.issuer,
  checkTyp: 'at+jwt',
  requiredClaims: ['exp'],
} satisfies FastifyJWTOptions['verify']
const authenticate = async (request: FastifyRequest): Promise<void> => {
  await request.jwtVerify()
}

const app = Fastify()
addFastifyNoAuthRoutes(app, noAuthPrefix)
for (const [path, cache] of [
  ['/hello', false],
  ['/cached/hello', true],
] as const) {
  app.register(async (scope) => {
    await scope.register(fastifyJwt, { secret: { public: publicKey }, verify: { ...verify, cache } })
    scope.get(path, { onRequest: authenticate }, fastifyHello)
  })
}
await app.ready()
listen(app.server)
