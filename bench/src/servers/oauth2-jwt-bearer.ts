// Anchor: express-oauth2-jwt-bearer verifying Latchkey's EdDSA tokens against a JWKS that this same
// process serves on a second port, as an identity provider would.
import { createServer } from 'node:http'
import express from 'express'
import { auth } from 'express-oauth2-jwt-bearer'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const jwks = JSON.stringify(fixture.jwks)
const jwksServer = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(jwks)
})
await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
const address = jwksServer.address()
if (typeof address !== 'object' || address === null) throw new Error('The JWKS server has no address.')

const app = express()
addNoAuthRoutes(app, noAuthPrefix)
app.get(
  '/hello',
  auth({
    issuer: fixture.issuer,
    audience: fixture.issuer,
    jwksUri: `http://127.0.0.1:${address.port}/jwks`,
    tokenSigningAlg: 'EdDSA',
  }),
  (_req, res) => {
    res.json(helloBody)
  },
)
listen(app)
