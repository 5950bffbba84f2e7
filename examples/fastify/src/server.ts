import {
  DEFAULT_DATABASE_URL,
  invocationDirectory,
  keyEncryptionKeyFromEnvironment,
  openKeyStore,
  startServer,
} from '@latchkey/cli'
import { createApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const databaseUrl = process.env.LATCHKEY_DATABASE_URL ?? DEFAULT_DATABASE_URL
// Every instance that shares a database must name the same issuer, whatever port it listens on.
const issuer = process.env.LATCHKEY_ISSUER ?? `http://localhost:${port}`
// Relative paths, the default database's too, are resolved where the command was typed (pnpm's
// INIT_CWD), not in this package's folder: at the repository root, the file `pnpm latchkey` manages.
const cwd = invocationDirectory(process.env, process.cwd())

const store = await openKeyStore(databaseUrl, { cwd })
// Private signing keys are sealed at rest when LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE) is set.
const keyEncryptionKey = keyEncryptionKeyFromEnvironment(process.env, cwd)
const { app, verifier } = await createApp({ store, issuer, verifier: keyEncryptionKey ? { keyEncryptionKey } : {} })
// A signing key that cannot be opened, or a port that is taken, stops the server here with one line.
const address = await startServer({
  server: app.server,
  listen: () => app.listen({ port, host }),
  host,
  port,
  verifier,
})
console.log(`Latchkey example API on http://${host}:${address.port} (issuer ${issuer})`)

function shutdown(): void {
  app.close().finally(() => {
    Promise.resolve(verifier.close?.())
      .then(() => store.close())
      .finally(() => process.exit(0))
  })
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
