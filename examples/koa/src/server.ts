import { createServer } from 'node:http'
import { openServerStore, readServerSettings, startServer } from '@latchkey/cli'
import { createApp } from './app.js'

// PORT, HOST, LATCHKEY_ISSUER, LATCHKEY_DATABASE_URL and LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE): a
// malformed one, or a store that cannot be opened, stops the server here with one line naming it.
// Relative paths, the default database's too, are read where the command was typed (pnpm's INIT_CWD):
// at the repository root, `./latchkey.db` is the file `pnpm latchkey` manages.
const settings = await readServerSettings()
const { host, port, issuer } = settings
const store = await openServerStore(settings)
const { app, verifier } = createApp({ store, issuer, verifier: settings.verifier })
const server = createServer(app.callback())
// A signing key that cannot be opened, or a port that is taken, stops the server here with one line.
const address = await startServer({ server, host, port, verifier })

function shutdown(): void {
  server.close(() => {
    Promise.resolve(verifier.close?.())
      .then(() => store.close())
      .finally(() => process.exit(0))
  })
  server.closeAllConnections()
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
// Said last, once a signal would stop the server cleanly: a supervisor (or a test) may act on it at once.
console.log(`Latchkey example API on http://${host}:${address.port} (issuer ${issuer})`)
