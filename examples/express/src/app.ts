import { createVerifier, type KeyStore, type VerifierOptions } from '@latchkey/verifier'
import { authenticate, oauthRoutes, requireScopes } from '@latchkey/verifier/express'
import express, { type Express } from 'express'

/** Settings of the example API. */
export interface AppOptions {
  readonly store: KeyStore
  readonly issuer: string
  /** Where to write one line per request. Default: stdout. */
  readonly log?: (line: string) => void
  /** Passed through to the verifier (audit hook, clock, lifetimes…). */
  readonly verifier?: Omit<VerifierOptions, 'store' | 'issuer'>
}

/** The walk-through API: `GET /api/test` for any valid key, `POST /api/test` for scope `write`. */
export function createApp({ store, issuer, log = console.log, verifier: settings = {} }: AppOptions): Express {
  const verifier = createVerifier({ ...settings, store, issuer, scopesSupported: ['read', 'write'] })
  const app = express()
  // The server closes it on shutdown, which writes the pending lastUsedAt of the keys.
  app.locals.verifier = verifier
  app.disable('x-powered-by')

  // One line per request: never the Authorization header, only the key id once it is proven.
  app.use((req, res, next) => {
    const started = performance.now()
    res.on('finish', () => {
      const duration = (performance.now() - started).toFixed(1)
      log(`${req.method} ${req.path} ${res.statusCode} ${req.auth?.keyId ?? '-'} ${duration}ms`)
    })
    next()
  })

  app.use(oauthRoutes(verifier))

  app.get('/api/test', authenticate(verifier), (req, res) => {
    res.json({ message: 'Hello from a Latchkey-secured API.', keyId: req.auth?.keyId, method: req.auth?.method })
  })

  // A dearer route: a key with credits pays 5 for it (rate limits still count it as one request).
  app.get('/api/report', authenticate(verifier, { cost: 5 }), (req, res) => {
    res.json({ message: 'A report, for 5 credits.', keyId: req.auth?.keyId })
  })

  app.post('/api/test', authenticate(verifier), requireScopes(verifier, ['write']), (req, res) => {
    res.json({ message: 'Written.', keyId: req.auth?.keyId, scopes: req.auth?.scopes })
  })

  return app
}
