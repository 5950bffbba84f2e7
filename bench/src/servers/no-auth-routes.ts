import express from 'express'
import { helloBody, noAuthTokenBody } from './listen.js'

/** Where every server but the baselines serves its process's no-auth routes. */
export const noAuthPrefix = '/no-auth'

/**
 * Adds the no-auth routes to `app`, as plain app routes like the ones they are compared with: `GET
 * /hello` and the form `POST /oauth/token`, with no authentication. The Express baseline serves them at
 * the root; every other Express server also serves them under {@link noAuthPrefix}, next to its own
 * routes (after the layers those routes pass through), so each scenario can be compared with a no-auth
 * request answered by its own process along the same path through Express (a nested `Router` under a
 * prefix would add work the compared routes do not do).
 */
export function addNoAuthRoutes(app: express.Express, prefix = ''): void {
  app.get(`${prefix}/hello`, (_req, res) => {
    res.json(helloBody)
  })
  // The POST baseline of the token endpoints: parse a form, answer JSON that must not be cached.
  app.post(`${prefix}/oauth/token`, express.urlencoded({ extended: false }), (req, res) => {
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
    res.json(noAuthTokenBody((req.body as Record<string, string>).grant_type))
  })
}
