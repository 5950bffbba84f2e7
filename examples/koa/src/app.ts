import { createVerifier, type KeyStore, type Verifier, type VerifierOptions } from '@latchkey/verifier'
import { authenticate, type LatchkeyState, oauthRoutes, requireScopes } from '@latchkey/verifier/koa'
import Koa from 'koa'

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
export function createApp({ store, issuer, log = console.log, verifier: settings = {} }: AppOptions): {
  app: Koa<LatchkeyState>
  verifier: Verifier
} {
  const verifier = createVerifier({ ...settings, store, issuer, scopesSupported: ['read', 'write'] })
  const app = new Koa<LatchkeyState>()
  const signIn = authenticate(verifier)
  const canWrite = requireScopes(verifier, ['write'])

  // One line per request: never the Authorization header, only the key id once it is proven.
  app.use(async (ctx, next) => {
    const started = performance.now()
    ctx.res.on('finish', () => {
      const duration = (performance.now() - started).toFixed(1)
      log(`${ctx.method} ${ctx.path} ${ctx.res.statusCode} ${ctx.state.auth?.keyId ?? '-'} ${duration}ms`)
    })
    await next()
  })

  app.use(oauthRoutes(verifier))

  app.use(async (ctx, next) => {
    if (ctx.path !== '/api/test') return next()
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      return signIn(ctx, async () => {
        const { keyId, method } = ctx.state.auth ?? {}
        ctx.body = { message: 'Hello from a Latchkey-secured API.', keyId, method }
      })
    }
    if (ctx.method === 'POST') {
      return signIn(ctx, () =>
        canWrite(ctx, async () => {
          const { keyId, scopes } = ctx.state.auth ?? {}
          ctx.body = { message: 'Written.', keyId, scopes }
        }),
      )
    }
    await next()
  })

  return { app, verifier }
}
