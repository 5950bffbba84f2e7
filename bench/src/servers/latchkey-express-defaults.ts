// Latchkey exactly as the README sets it up, default throttle included: what an attacker meets.
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { authenticate, oauthRoutes } from '@latchkey/verifier/express'
import express from 'express'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const verifier = createVerifier({ store: openSqliteKeyStore(fixture.databasePath), issuer: fixture.issuer })
const app = express()
app.use(oauthRoutes(verifier))
addNoAuthRoutes(app, noAuthPrefix)
app.get('/hello', authenticate(verifier), (_req, res) => {
  res.json(helloBody)
})
listen(app)
