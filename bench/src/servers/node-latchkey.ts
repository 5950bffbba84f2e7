// Latchkey's node:http adapter as examples/node-http sets it up: `oauthRoutes` first, then `withAuth`
// around the handler, on the fixture's SQLite store, the failure throttle's limits out of reach.
// `/plain/hello` is the `basic-auth` module's parse and a plain-text compare in the same process: the
// peer the Basic and Bearer rows are judged against, measured where they are.
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { createVerifier } from '@latchkey/verifier'
import { oauthRoutes, withAuth } from '@latchkey/verifier/node'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { noAuthPrefix } from './no-auth-routes.js'
import { noAuthListener } from './node-no-auth-listener.js'
import { nodePlainCompare } from './node-plain-compare.js'
import { unreachableThrottle } from './unreachable-throttle.js'

const fixture = readFixture()
const verifier = createVerifier({
  store: openSqliteKeyStore(fixture.databasePath),
  issuer: fixture.issuer,
  failureThrottle: unreachableThrottle,
})
const hello = JSON.stringify(helloBody)
const routes = oauthRoutes(verifier)
const protectedHello = withAuth(verifier, (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(hello)
})
const noAuthPath = `${noAuthPrefix}/`
const plainHello = nodePlainCompare(fixture, hello)
// The no-auth routes after `oauthRoutes`, as an app's unprotected routes would be (and as the Express
// and Hono servers mount them): the reference pays what every request of the app pays.
listen((req, res) => {
  routes(req, res, (error) => {
    if (error) {
      console.error(error)
      res.writeHead(500).end()
    } else if (req.url?.startsWith(noAuthPath)) noAuthListener(req, res)
    else if (req.url === '/plain/hello') plainHello(req, res)
    else protectedHello(req, res)
  })
})
