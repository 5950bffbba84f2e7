// Anchor: jose's jwtVerify alone in a middleware, EdDSA, with the checks Latchkey makes (typ, iss,
// aud, exp) and the key imported once. The floor for "a new token every request".
import express from 'express'
import { importJWK, jwtVerify } from 'jose'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const jwk = fixture.jwks.keys[0]
if (!jwk) throw new Error('The fixture has no signing key.')
const key = await importJWK(jwk, 'EdDSA')
const app = express()
addNoAuthRoutes(app, noAuthPrefix)
app.get(
  '/hello',
  (req, res, next) => {
    const token = req.headers.authorization?.replace(/^Bearer /i, '') ?? ''
    jwtVerify(token, key, { issuer: fixture.issuer, audience: fixture.issuer, algorithms: ['EdDSA'], typ: 'at+jwt' })
      .then(() => next())
      .catch(() => res.status(401).json({ error: 'invalid_token' }))
  },
  (_req, res) => {
    res.json(helloBody)
  },
)
listen(app)
