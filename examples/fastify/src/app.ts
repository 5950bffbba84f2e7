import { createVerifier, type KeyStore, type Verifier, type VerifierOptions } from '@latchkey/verifier'
import { authenticate, oauthRoutes, requireScopes } from '@latchkey/verifier/fastify'
import Fastify, { type FastifyInstance } from 'fastify'

/** Settings of the example API. */
export interface AppOptions {
  readonly store: KeyStore
  readonly issuer: string
  /** Where to write one line per request. Default: stdout. */
  readonly log?: (line: string) => void
  /** Passed through to the verifier (audit hook, clock, lifetimes…). */
  readonly verifier?: Omit<VerifierOptions, 'store' | 'issuer'>
}

/**
 * The walk-through API: `GET /api/test` for any valid key, `POST /api/test` for scope `write`; and its
 * verifier, which the server readies before listening and closes on shutdown.
 */
export async function createApp({
  store,
  issuer,
  log = console.log,
  verifier: settings = {},
}: AppOptions): Promise<{ app: FastifyInstance; verifier: Verifier }> {
  const verifier = createVerifier({ ...settings, store, issuer, scopesSupported: ['read', 'write'] })
  const app = Fastify()

  // One line per request: never the Authorization header, only the key id once it is proven.
  app.addHook('onResponse', async (request, reply) => {
    const path = new URL(request.url, 'http://localhost').pathname
    const duration = reply.elapsedTime.toFixed(1)
    log(`${request.method} ${path} ${reply.statusCode} ${request.auth?.keyId ?? '-'} ${duration}ms`)
  })

  await app.register(oauthRoutes(verifier))

  app.get('/api/test', { preHandler: authenticate(verifier) }, async (request) => ({
    message: 'Hello from a Latchkey-secured API.',
    keyId: request.auth?.keyId,
    method: request.auth?.method,
  }))

  app.post(
    '/api/test',
    { preHandler: [authenticate(verifier), requireScopes(verifier, ['write'])] },
    async (request) => ({
      message: 'Written.',
      keyId: request.auth?.keyId,
      scopes: request.auth?.scopes,
    }),
  )

  return { app, verifier }
}
