import { createVerifier, type KeyStore, type Verifier, type VerifierOptions } from '@latchkey/verifier'
import { authenticate, type LatchkeyEnv, oauthRoutes, requireScopes } from '@latchkey/verifier/hono'
import { Hono } from 'hono'

/** Settings of the example API. */
export interface AppOptions {
  readonly store: KeyStore
  readonly issuer: string
  /** Where to write one line per request. Default: stdout. */
  readonly log?: (line: string) => void
  /** Passed through to the verifier (audit hook, clock, lifetimes…). */
  readonly verifier?: Omit<VerifierOptions, 'store' | 'issuer'>
}

/** Express's `res.json` media type, so every example answers with the same bytes. */
const jsonType = { 'Content-Type': 'application/json; charset=utf-8' }

/**
 * The walk-through API: `GET /api/test` for any valid key, `POST /api/test` for scope `write`; and its
 * verifier, which the server readies before listening and closes on shutdown.
 */
export function createApp({ store, issuer, log = console.log, verifier: settings = {} }: AppOptions): {
  app: Hono<LatchkeyEnv>
  verifier: Verifier
} {
  const verifier = createVerifier({ ...settings, store, issuer, scopesSupported: ['read', 'write'] })
  const app = new Hono<LatchkeyEnv>()

  // One line per request: never the Authorization header, only the key id once it is proven.
  app.use(async (c, next) => {
    const started = performance.now()
    await next()
    const duration = (performance.now() - started).toFixed(1)
    log(`${c.req.method} ${c.req.path} ${c.res.status} ${c.get('auth')?.keyId ?? '-'} ${duration}ms`)
  })

  app.use(oauthRoutes(verifier))

  app.get('/api/test', authenticate(verifier), (c) => {
    const { keyId, method } = c.get('auth')
    return c.json({ message: 'Hello from a Latchkey-secured API.', keyId, method }, 200, jsonType)
  })

  app.post('/api/test', authenticate(verifier), requireScopes(verifier, ['write']), (c) => {
    const { keyId, scopes } = c.get('auth')
    return c.json({ message: 'Written.', keyId, scopes }, 200, jsonType)
  })

  return { app, verifier }
}
