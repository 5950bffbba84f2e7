import type { Context, Env, Hono } from 'hono'
import { helloBody, noAuthTokenBody } from './listen.js'

/** The protected routes' handler on Hono, the same as the no-auth route's: `{"ok":true}` through `c.json`. */
export const honoHello = (c: Context): Response => c.json(helloBody)

/**
 * The Hono equivalent of `addNoAuthRoutes` (no-auth-routes.ts): `GET /hello` and the form `POST
 * /oauth/token` under `prefix`, as plain app routes next to the server's own, after the middleware its
 * own routes pass through (`app.use` before this call), so both take the same path through Hono.
 */
export function addHonoNoAuthRoutes<E extends Env>(app: Hono<E>, prefix = ''): void {
  app.get(`${prefix}/hello`, honoHello)
  // The POST baseline of the token endpoints: parse a form (`parseBody`, as Hono apps do), answer JSON
  // that must not be cached.
  app.post(`${prefix}/oauth/token`, async (c) => {
    const form = await c.req.parseBody()
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    return c.json(noAuthTokenBody(typeof form.grant_type === 'string' ? form.grant_type : null))
  })
}
