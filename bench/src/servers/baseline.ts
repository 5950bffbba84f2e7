// The no-auth Express baseline: the same routes as every other server, minus authentication.
import express from 'express'
import { listen } from './listen.js'
import { addNoAuthRoutes } from './no-auth-routes.js'

const app = express()
addNoAuthRoutes(app)
listen(app)
