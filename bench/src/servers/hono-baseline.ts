// The no-auth Hono 4 baselines on @hono/node-server (`GET /hello`, the form `POST /oauth/token`) and
// Hono's floor: an async middleware that only awaits `next()`, which any authentication middleware
// pays at least.
import { Hono } from 'hono'
import { addHonoNoAuthRoutes, honoHello } from './hono-no-auth-routes.js'
import { honoServer } from './hono-server.js'
import { listen } from './listen.js'

const app = new Hono()
addHonoNoAuthRoutes(app)
app.get(
  '/noop/hello',
  async (_c, next) => {
    await next()
  },
  honoHello,
)
listen(honoServer(app))
