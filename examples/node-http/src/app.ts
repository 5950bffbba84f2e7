import type { RequestListener, ServerResponse } from 'node:http'
import { createVerifier, type KeyStore, type Verifier, type VerifierOptions } from '@latchkey/verifier'
import { oauthRoutes, withAuth } from '@latchkey/verifier/node'

/** Settings of the example API. */
export interface AppOptions {
  readonly store: KeyStore
  readonly issuer: string
  /** Where to write one line per request. Default: stdout. */
  readonly log?: (line: string) => void
  /** Passed through to the verifier (audit hook, clock, lifetimes…). */
  readonly verifier?: Omit<VerifierOptions, 'store' | 'issuer'>
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
}

/**
 * The walk-through API: `GET /api/test` for any valid key, `POST /api/test` for scope `write`, as a
 * request listener; and its verifier, which the server readies before listening and closes on shutdown.
 */
export function createApp({ store, issuer, log = console.log, verifier: settings = {} }: AppOptions): {
  listener: RequestListener
  verifier: Verifier
} {
  const verifier = createVerifier({ ...settings, store, issuer, scopesSupported: ['read', 'write'] })
  const routes = oauthRoutes(verifier)
  const read = withAuth(verifier, (req, res) => {
    json(res, { message: 'Hello from a Latchkey-secured API.', keyId: req.auth.keyId, method: req.auth.method })
  })
  const write = withAuth(
    verifier,
    (req, res) => json(res, { message: 'Written.', keyId: req.auth.keyId, scopes: req.auth.scopes }),
    { scopes: ['write'] },
  )

  const listener: RequestListener = (req, res) => {
    const started = performance.now()
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    // One line per request: never the Authorization header, only the key id once it is proven.
    res.on('finish', () => {
      const duration = (performance.now() - started).toFixed(1)
      log(`${req.method} ${pathname} ${res.statusCode} ${req.auth?.keyId ?? '-'} ${duration}ms`)
    })
    routes(req, res, (error) => {
      if (error) {
        console.error(error)
        return res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal Server Error')
      }
      if (pathname === '/api/test' && (req.method === 'GET' || req.method === 'HEAD')) return read(req, res)
      if (pathname === '/api/test' && req.method === 'POST') return write(req, res)
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found')
    })
  }
  return { listener, verifier }
}
