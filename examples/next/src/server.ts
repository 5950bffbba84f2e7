import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { openServerStore, readServerSettings, startServer } from '@latchkey/cli'
import { createVerifier } from '@latchkey/verifier'
import next from 'next'

// PORT, HOST, LATCHKEY_ISSUER, LATCHKEY_DATABASE_URL and LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE): a
// malformed one, or a store that cannot be opened, stops the server here with one line naming it.
const settings = await readServerSettings()
const { host, port, issuer } = settings
// Read by lib/verifier.ts; set here so that PORT=0 still names one issuer for the whole process.
process.env.LATCHKEY_ISSUER = issuer

const app = next({ dev: false, dir: fileURLToPath(new URL('..', import.meta.url)) })
await app.prepare()
const handle = app.getRequestHandler()

const server = createServer((req, res) => {
  // Node keeps only the first of repeated Authorization lines in req.headers, and Next.js builds the
  // route handler's Request from them: join the lines as Fetch does, so the verifier refuses them.
  const authorization = req.headersDistinct.authorization ?? []
  if (authorization.length > 1) req.headers.authorization = authorization.join(', ')
  void handle(req, res)
})
// The route handlers' verifier lives in Next's bundle (lib/verifier.ts), out of reach here. This one, on
// the same store and settings, is made only so that a key-encryption key that opens no signing key, or
// a port that is taken, stops the server here with one line; it is closed once the server listens.
const store = await openServerStore(settings)
const startup = createVerifier({ ...settings.verifier, store, issuer })
const address = await startServer({ server, host, port, verifier: startup })
await startup.close?.()
await store.close()

function shutdown(): void {
  server.close(() => {
    void app.close().finally(() => process.exit(0))
  })
  server.closeAllConnections()
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
// Said last, once a signal would stop the server cleanly: a supervisor (or a test) may act on it at once.
console.log(`Latchkey example API on http://${host}:${address.port} (issuer ${issuer})`)
