// Latchkey's Fetch adapter on node:http: the same scenarios without Express, to show the framework's share.
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { oauthRoutes, withAuth } from '@latchkey/verifier/fetch'
import { readFixture } from '../fixture.js'
import { fetchListener } from './fetch-bridge.js'
import { helloBody, listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'
import { noAuthListener } from './node-no-auth-listener.js'

const fixture = readFixture()
// One load generator on one address sends every scenario, the attacks included: the throttle stays in
// the measured path but its limits are out of reach, so the wrong-secret scenario measures a refusal.
const unreachable = 1_000_000
const verifier = createVerifier({
  store: openSqliteKeyStore(fixture.databasePath),
  issuer: fixture.issuer,
  failureThrottle: { perKeyAndAddress: unreachable, perAddress: unreachable, perKey: unreachable },
})
const fetchHandler = fetchListener(
  oauthRoutes(
    verifier,
    withAuth(verifier, () => Response.json(helloBody)),
  ),
)
const noAuthPath = `${noAuthPrefix}/`
listen((req, res) => {
  if (req.url?.startsWith(noAuthPath)) noAuthListener(req, res)
  else fetchHandler(req, res)
})
