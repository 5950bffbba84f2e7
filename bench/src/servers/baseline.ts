// The no-auth Express baseline: the same routes as every other server, minus authentication.
import express from 'express'
import { helloBody, listen } from './listen.js'

const app = express()
app.get('/hello', (_req, res) => {
  res.json(helloBody)
})
// The POST baseline of the token endpoints: parse a form, answer JSON that must not be cached.
app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
  const body = req.body as Record<string, string>
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
  res.json({ access_token: 'x', token_type: 'Bearer', expires_in: 3600, grant_type: body.grant_type })
})
listen(app)
