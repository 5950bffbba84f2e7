// Anchor: express-basic-auth with the secret in plain text in memory, as its README shows.
import express from 'express'
import basicAuth from 'express-basic-auth'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const app = express()
addNoAuthRoutes(app, noAuthPrefix)
app.get('/hello', basicAuth({ users: { [fixture.keyId]: fixture.secret } }), (_req, res) => {
  res.json(helloBody)
})
listen(app)
