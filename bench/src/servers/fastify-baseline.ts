// The no-auth Fastify 5 baselines (`GET /hello`, the form `POST /oauth/token`) and Fastify's floor: an
// async preHandler that does nothing, which any authentication hook pays at least.
import Fastify from 'fastify'
import { addFastifyNoAuthRoutes, fastifyHello } from './fastify-no-auth-routes.js'
import { listen } from './listen.js'

const app = Fastify()
addFastifyNoAuthRoutes(app)
app.get('/noop/hello', { preHandler: async () => undefined }, fastifyHello)
await app.ready()
listen(app.server)
