import { createVerifier, type KeyStore, type Principal, type Verifier, type VerifierOptions } from '@latchkey/verifier'
import { type FetchHandler, oauthRoutes, withAuth } from '@latchkey/verifier/fetch'

// examples/bun/src/app.ts is this file for Bun.serve, whose handler gets the server instead of the
// connection's details: each example stays whole on its own, for readers who copy one.

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

/** What Deno passes its handler besides the request. */
type DenoArgs = [info: Deno.ServeHandlerInfo]

/** Brute-force throttling counts failures by the connection's peer address, which only Deno knows. */
const clientAddress = (_request: Request, info: Deno.ServeHandlerInfo) => info.remoteAddr.hostname

/**
 * The walk-through API as the handler of `Deno.serve`: `GET /api/test` for any valid key,
 * `POST /api/test` for scope `write`, and the OAuth routes; and its verifier, which the server
 * readies before listening and closes on shutdown.
 */
export function createApp({ store, issuer, log = console.log, verifier: settings = {} }: AppOptions): {
  fetch: FetchHandler<DenoArgs>
  verifier: Verifier
} {
  const verifier = createVerifier({ ...settings, store, issuer, scopesSupported: ['read', 'write'] })
  // Who each request proved to be, for its log line; a Fetch `Request` has nowhere else to keep it.
  const principals = new WeakMap<Request, Principal>()
  const json = (request: Request, principal: Principal, body: unknown): Response => {
    principals.set(request, principal)
    return new Response(JSON.stringify(body), { headers: jsonType })
  }

  const read = withAuth<DenoArgs>(
    verifier,
    (request, principal) =>
      json(request, principal, {
        message: 'Hello from a Latchkey-secured API.',
        keyId: principal.keyId,
        method: principal.method,
      }),
    { clientAddress },
  )
  const write = withAuth<DenoArgs>(
    verifier,
    (request, principal) =>
      json(request, principal, { message: 'Written.', keyId: principal.keyId, scopes: principal.scopes }),
    { clientAddress, scopes: ['write'] },
  )
  const routes = oauthRoutes<DenoArgs>(
    verifier,
    (request, ...args) => {
      const { pathname } = new URL(request.url)
      if (pathname === '/api/test' && (request.method === 'GET' || request.method === 'HEAD'))
        return read(request, ...args)
      if (pathname === '/api/test' && request.method === 'POST') return write(request, ...args)
      return new Response('Not Found', { status: 404, headers: { 'Content-Type': 'text/plain' } })
    },
    { clientAddress },
  )

  // One line per request: never the Authorization header, only the key id once it is proven.
  const fetch: FetchHandler<DenoArgs> = async (request, ...args) => {
    const started = performance.now()
    const response = await routes(request, ...args)
    const duration = (performance.now() - started).toFixed(1)
    const { pathname } = new URL(request.url)
    log(`${request.method} ${pathname} ${response.status} ${principals.get(request)?.keyId ?? '-'} ${duration}ms`)
    return response
  }
  return { fetch, verifier }
}
