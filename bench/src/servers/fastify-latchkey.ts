// Latchkey on Fastify 5 as examples/fastify sets it up: `oauthRoutes` registered, `authenticate` as the
// route's preHandler, on the fixture's SQLite store, the failure throttle's limits out of reach (as
// serveLatchkey does for Express). `/plain/hello` is @fastify/basic-auth's plain-text compare in the same
// process: the peer the Basic and Bearer rows are judged against, measured where they are.
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { authenticate, oauthRoutes } from '@latchkey/verifier/fastify'
import Fastify from 'fastify'
import { readFixture } from '../fixture.js'
import { addFastifyNoAuthRoutes, fastifyHello } from './fastify-no-auth-routes.js'
import { addFastifyPlainCompare } from './fastify-plain-compare.js'
import { listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'
import { unreachableThrottle } from './unreachable-throttle.js'

const fixture = readFixture()
const verifier = createVerifier({
  store: openSqliteKeyStore(fixture.databasePath),
  issuer: fixture.issuer,
  failureThrottle: unreachableThrottle,
})
const app = Fastify()
await app.register(oauthRoutes(verifier))
addFastifyNoAuthRoutes(app, noAuthPrefix)
app.get('/hello', { preHandler: authenticate(verifier) }, fastifyHello)
addFastifyPlainCompare(app, '/plain/hello')
await app.ready()
listen(app.server)
