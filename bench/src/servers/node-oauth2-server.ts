// Anchor: @node-oauth/oauth2-server 5 with opaque tokens in a Map: authenticate() on /hello and its
// client_credentials token endpoint. The client secret is hashed (SHA-256, constant-time compare), as
// Latchkey stores it; the library leaves that check to the model.
import { createHash, timingSafeEqual } from 'node:crypto'
import OAuth2Server, { type Client, Request, Response, type Token } from '@node-oauth/oauth2-server'
import express from 'express'
import { LruMap } from 'toad-cache'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const fixture = readFixture()
const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest()
const client: Client = { id: fixture.keyId, grants: ['client_credentials'], secretHash: sha256(fixture.secret) }
/**
 * Issued tokens, bounded so a long run cannot grow the heap without end. An LRU like Latchkey's own
 * caches: forgetting the oldest entry of a full `Map` walks every deleted slot, which would slow the
 * anchor's token endpoint once full (see docs/decisions/0006-bounded-caches.md).
 */
const tokens = new LruMap<Token>(100_000)

function remember(token: Token): Token {
  tokens.set(token.accessToken, token)
  return token
}

remember({
  accessToken: fixture.opaqueToken,
  accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
  client,
  user: { id: client.id },
})

const oauth = new OAuth2Server({
  model: {
    async getClient(id, secret) {
      if (id !== client.id) return false
      return timingSafeEqual(sha256(secret), client.secretHash as Buffer) ? client : false
    },
    getUserFromClient: async (owner) => ({ id: owner.id }),
    saveToken: async (token, owner, user) => remember({ ...token, client: owner, user }),
    getAccessToken: async (accessToken) => tokens.get(accessToken),
  },
})

const app = express()
addNoAuthRoutes(app, noAuthPrefix)
app.get(
  '/hello',
  (req, res, next) => {
    oauth.authenticate(new Request(req), new Response(res)).then(
      () => next(),
      (error: { code?: number; name?: string }) => res.status(error.code ?? 500).json({ error: error.name }),
    )
  },
  (_req, res) => {
    res.json(helloBody)
  },
)
app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
  const response = new Response(res)
  oauth.token(new Request(req), response).then(
    () => {
      res
        .set(response.headers)
        .status(response.status ?? 200)
        .json(response.body)
    },
    (error: { code?: number; name?: string }) => res.status(error.code ?? 500).json({ error: error.name }),
  )
})
listen(app)
