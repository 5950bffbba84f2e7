import { createServer } from 'node:http'
import { openServerStore, readServerSettings, startServer } from '@latchkey/cli'
import type { Verifier } from '@latchkey/verifier'
import { createApp } from './app.js'

// PORT, HOST, LATCHKEY_ISSUER, LATCHKEY_DATABASE_URL, LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE) and
// LATCHKEY_REDIS_URL (rate-limit windows shared by every instance): a malformed one, or a store that
// cannot be opened, stops the server here with one line naming it.
// Relative paths, the default database's too, are read where the command was typed (pnpm's INIT_CWD):
// at the repository root, `./latchkey.db` is the file `pnpm latchkey` manages.
const settings = await readServerSettings()
const { host, port, issuer } = settings
const store = await openServerStore(settings)
const app = createApp({ store, issuer, verifier: settings.verifier })
const server = createServer(app)
// A signing key that cannot be opened, or a port that is taken, stops the server here with one line.
const address = await startServer({ server, host, port, verifier: app.locals.verifier as Verifier })

function shutdown(): void {
  server.close(() => {
    Promise.resolve((app.locals.verifier as Verifier).close?.())
      .then(() => settings.verifier.rateLimits?.counter.close())
      .then(() => store.close())
      .finally(() => process.exit(0))
  })
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
// Said last, once a signal would stop the server cleanly: a supervisor (or a test) may act on it at once.
console.log(`Latchkey example API on http://${host}:${address.port} (issuer ${issuer})`)
