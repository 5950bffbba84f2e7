// Latchkey on Hono 4 (@hono/node-server) as examples/hono sets it up: `app.use(oauthRoutes(verifier))`,
// `authenticate` before the handler, on the fixture's SQLite store, the failure throttle's limits out of
// reach.
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { authenticate, type LatchkeyEnv, oauthRoutes } from '@latchkey/verifier/hono'
import { Hono } from 'hono'
import { readFixture } from '../fixture.js'
import { addHonoNoAuthRoutes, honoHello } from './hono-no-auth-routes.js'
import { honoServer } from './hono-server.js'
import { listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'
import { unreachableThrottle } from './unreachable-throttle.js'

const fixture = readFixture()
const verifier = createVerifier({
  store: openSqliteKeyStore(fixture.databasePath),
  issuer: fixture.issuer,
  failureThrottle: unreachableThrottle,
})
const app = new Hono<LatchkeyEnv>()
app.use(oauthRoutes(verifier))
addHonoNoAuthRoutes(app, noAuthPrefix)
app.get('/hello', authenticate(verifier), honoHello)
listen(honoServer(app))
