import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { authenticate as expressAuthenticate, oauthRoutes as expressRoutes } from '../src/adapters/express.js'
import { oauthRoutes as fetchRoutes, withAuth } from '../src/adapters/fetch.js'
import { createVerifier, type KeyStore, MemoryKeyStore, type Verifier, type VerifierOptions } from '../src/index.js'
import { createKeyManager } from '../src/manage/key-manager.js'
import type { RateLimit } from '../src/usage-limits/rate-limit.js'

// Real HTTP on 127.0.0.1 for the usage-limit tests: an API served through an adapter, a Basic or
// Bearer client, and what came back.

/** What a client saw: the status, the headers it reads and the error code. */
export interface Seen {
  readonly status: number
  readonly headers: Record<string, string>
  readonly error: string | undefined
}

/** Serves `listener` on a free loopback port until `close`. */
export async function listen(listener: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** A Node listener answering with a Fetch handler, as `@hono/node-server` or Bun would serve it. */
export function fetchListener(handler: (request: Request) => Promise<Response>): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', async () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        for (const one of Array.isArray(value) ? value : [value]) if (one !== undefined) headers.append(name, one)
      }
      const init: RequestInit = { method: req.method ?? 'GET', headers }
      if (body && req.method !== 'GET' && req.method !== 'HEAD') init.body = new Uint8Array(body)
      const response = await handler(new Request(`http://127.0.0.1${req.url}`, init))
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    })
  }
}

/** The example API through an adapter: `GET /data` costs 1, `GET /report` costs 5. */
export const apis: Record<string, (verifier: Verifier) => http.RequestListener> = {
  express: (verifier) => {
    const app = express().use(expressRoutes(verifier))
    app.get('/data', expressAuthenticate(verifier), (_req, res) => void res.json({ ok: true }))
    app.get('/report', expressAuthenticate(verifier, { cost: 5 }), (_req, res) => void res.json({ ok: true }))
    return app
  },
  fetch: (verifier) => {
    const data = withAuth(verifier, async () => Response.json({ ok: true }))
    const report = withAuth(verifier, async () => Response.json({ ok: true }), { cost: 5 })
    return fetchListener(
      fetchRoutes(verifier, (request) => (new URL(request.url).pathname === '/report' ? report : data)(request)),
    )
  },
}

/**
 * A store with two accounts, a verifier on it (on `verifierStore(store)`, when given), and a way to
 * make keys with limits.
 */
export async function limitedStore(
  options: Partial<VerifierOptions> = {},
  verifierStore: (store: MemoryKeyStore) => KeyStore = (store) => store,
) {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const verifier = createVerifier({ store: verifierStore(store), issuer: 'https://api.example.test', ...options })
  const acme = await manager.createAccount({ name: 'Acme' })
  const globex = await manager.createAccount({ name: 'Globex' })
  async function key(accountId: string, limits: { rateLimits?: RateLimit[]; credits?: number } = {}) {
    const created = await manager.createApiKey({ accountId, scopes: ['read'] })
    await store.updateApiKey(created.id, {
      ...(limits.rateLimits ? { rateLimits: limits.rateLimits } : {}),
      ...(limits.credits === undefined
        ? {}
        : { credits: { remaining: limits.credits, refill: null, refillsAt: null } }),
    })
    return { id: created.id, basic: `Basic ${btoa(`${created.id}:${created.secret}`)}` }
  }
  return { store, verifier, acme, globex, key }
}

/** `GET url` with `authorization`. */
export async function get(url: string, authorization: string): Promise<Seen> {
  const response = await fetch(url, { headers: { authorization }, redirect: 'manual' })
  const text = await response.text()
  const headers: Record<string, string> = {}
  for (const name of [
    'retry-after',
    'ratelimit-policy',
    'ratelimit',
    'ratelimit-limit',
    'ratelimit-remaining',
    'ratelimit-reset',
  ]) {
    const value = response.headers.get(name)
    if (value !== null) headers[name] = value
  }
  const error = response.status < 400 ? undefined : (JSON.parse(text) as { error?: string }).error
  return { status: response.status, headers, error }
}

/** An access token for `basic` from the token endpoint at `url`. */
export async function accessToken(url: string, basic: string): Promise<string> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })
  if (!response.ok) throw new Error(`the token request answered ${response.status}`)
  return `Bearer ${((await response.json()) as { access_token: string }).access_token}`
}

const serving: { close(): Promise<void> }[] = []

/**
 * {@link limitedStore}'s store and verifier, served by `adapter` (a key of {@link apis}) on loopback;
 * {@link closeServed} (in `afterEach`) closes every server it started.
 */
export async function serveLimited(adapter: string, ...store: Parameters<typeof limitedStore>) {
  const setup = await limitedStore(...store)
  const server = await listen((apis[adapter] as (typeof apis)['express'])(setup.verifier))
  serving.push(server)
  return { ...setup, url: server.url }
}

/** Closes the servers {@link serveLimited} started. */
export async function closeServed(): Promise<void> {
  await Promise.all(serving.splice(0).map((server) => server.close()))
}
