import { createVerifier, type VerifierOptions } from '@latchkey/verifier'
import { authenticate, oauthRoutes } from '@latchkey/verifier/express'
import express from 'express'
import { readFixture } from '../fixture.js'
import { helloBody, listen } from './listen.js'
import { addNoAuthRoutes, noAuthPrefix } from './no-auth-routes.js'

/**
 * Serves the app of `latchkey-express.ts` (the README's setup, the failure throttle's limits out of
 * reach) on another store or counter: the servers of `bench:limits`.
 */
export function serveLatchkey(options: Pick<VerifierOptions, 'store' | 'rateLimits'>): void {
  const unreachable = 1_000_000
  const verifier = createVerifier({
    ...options,
    issuer: readFixture().issuer,
    failureThrottle: { perKeyAndAddress: unreachable, perAddress: unreachable, perKey: unreachable },
  })
  const app = express()
  app.use(oauthRoutes(verifier))
  addNoAuthRoutes(app, noAuthPrefix)
  app.get('/hello', authenticate(verifier), (_req, res) => {
    res.json(helloBody)
  })
  listen(app)
}
