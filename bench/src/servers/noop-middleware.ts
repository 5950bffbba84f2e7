// The framework's floor: Express with a middleware that authenticates nothing. Any authentication
// middleware pays at least this much; the async one pays what every store-backed middleware pays
// for settling a promise before calling next().
import express from 'express'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

const app = express()
addNoAuthRoutes(app, noAuthPrefix)
const hello: express.RequestHandler = (_req, res) => {
  res.json(helloBody)
}
app.get('/hello', (_req, _res, next) => next(), hello)
app.get(
  '/async/hello',
  async (_req, _res, next) => {
    await undefined
    next()
  },
  hello,
)
listen(app)
