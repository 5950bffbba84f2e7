// Latchkey as the README sets it up: Express 5, the SQLite store, authenticate() and oauthRoutes().
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { authenticate, oauthRoutes } from '@latchkey/verifier/express'
import express from 'express'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
// One load generator on one address sends every scenario, the attacks included: the throttle stays in
// the measured path but its limits are out of reach, so the wrong-secret scenario measures a refusal.
const unreachable = 1_000_000
const verifier = createVerifier({
  store: openSqliteKeyStore(fixture.databasePath),
  issuer: fixture.issuer,
  failureThrottle: { perKeyAndAddress: unreachable, perAddress: unreachable, perKey: unreachable },
})
const app = express()
app.use(oauthRoutes(verifier))
addNoAuthRoutes(app, noAuthPrefix)
app.get('/hello', authenticate(verifier), (_req, res) => {
  res.json(helloBody)
})
listen(app)
