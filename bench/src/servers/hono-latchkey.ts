// Latchkey on Hono 4 (@hono/node-server) as examples/hono sets it up: `app.use(oauthRoutes(verifier))`,
// `authenticate` before the handler, on the fixture's SQLite store, the failure throttle's limits out of
// reach. `/plain/hello` is hono/basic-auth comparing the key's id and secret in plain text (through
// `verifyUser`, which it does not hash) in the same process: the peer the Basic and Bearer rows are judged
// against, measured where they are.
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { authenticate, type LatchkeyEnv, oauthRoutes } from '@latchkey/verifier/hono'
import { Hono } from 'hono'
import { basicAuth } from 'hono/basic-auth'
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
app.get(
  '/plain/hello',
  basicAuth({ verifyUser: (username, password) => username === fixture.keyId && password === fixture.secret }),
  honoHello,
)
listen(honoServer(app))
