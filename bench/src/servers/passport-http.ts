// Anchor: passport-http's BasicStrategy with a hashed secret. The verify callback does what the
// passport docs show (look the user up, compare the password) with the hash Latchkey itself stores:
// SHA-256, compared in constant time. bcrypt is not installed, and a slow KDF buys nothing for a
// 256-bit random secret (see docs/performance.md).
import { createHash, timingSafeEqual } from 'node:crypto'
import express from 'express'
import passport from 'passport'
import { BasicStrategy } from 'passport-http'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest()
const users = new Map([[fixture.keyId, { id: fixture.keyId, secretHash: sha256(fixture.secret) }]])

passport.use(
  new BasicStrategy((userId, password, done) => {
    const user = users.get(userId)
    if (!user) return done(null, false)
    return done(null, timingSafeEqual(sha256(password), user.secretHash) ? user : false)
  }),
)
const app = express()
app.use(passport.initialize())
addNoAuthRoutes(app, noAuthPrefix)
app.get('/hello', passport.authenticate('basic', { session: false }), (_req, res) => {
  res.json(helloBody)
})
listen(app)
