// Latchkey's Fetch adapter on node:http: the same scenarios without Express, to show the framework's share.
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { oauthRoutes, withAuth } from '@latchkey/verifier/fetch'
import { readFixture } from '../fixture.js'
import { fetchListener } from './fetch-bridge.js'
import { helloBody, listen } from './listen.js'

const fixture = readFixture()
const verifier = createVerifier({ store: openSqliteKeyStore(fixture.databasePath), issuer: fixture.issuer })
listen(
  fetchListener(
    oauthRoutes(
      verifier,
      withAuth(verifier, () => Response.json(helloBody)),
    ),
  ),
)
