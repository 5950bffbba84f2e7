// Anchors: Hono's own middleware, as its docs set them up. `hono/basic-auth` with the key's id and
// secret in plain text (`/hello`; it compares SHA-256 digests through Web Crypto, in constant time), and
// `hono/jwt` verifying Latchkey's EdDSA tokens (`/jwt/hello`) with the checks Latchkey makes that it can
// make: `typ: at+jwt`, iss, aud, exp when present (it cannot require exp). Its key is imported once as a
// CryptoKey: given a JWK or PEM it would import it again for every token.
import { Hono } from 'hono'
import { basicAuth } from 'hono/basic-auth'
import { jwt } from 'hono/jwt'
import { readFixture } from '../fixture.js'
import { addHonoNoAuthRoutes, honoHello } from './hono-no-auth-routes.js'
import { honoServer } from './hono-server.js'
import { listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const jwk = fixture.jwks.keys[0]
if (!jwk) throw new Error('The fixture has no signing key.')
const key = await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify'])
const app = new Hono()
addHonoNoAuthRoutes(app, noAuthPrefix)
app.get('/hello', basicAuth({ username: fixture.keyId, password: fixture.secret }), honoHello)
app.get(
  '/jwt/hello',
  jwt({ secret: key, alg: 'EdDSA', verification: { iss: fixture.issuer, aud: fixture.issuer, typ: 'at+jwt' } }),
  honoHello,
)
listen(honoServer(app))
