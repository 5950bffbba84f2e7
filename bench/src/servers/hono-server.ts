import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import type { Env, Hono } from 'hono'

/**
 * The `node:http` server `@hono/node-server` serves `app` with (as `serve()` does), not yet listening,
 * for `listen()`.
 */
export function honoServer<E extends Env>(app: Hono<E>): Server {
  return createAdaptorServer({ fetch: app.fetch }) as Server
}
