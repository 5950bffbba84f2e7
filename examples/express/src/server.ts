import { createServer } from 'node:http'
import {
  DEFAULT_DATABASE_URL,
  invocationDirectory,
  keyEncryptionKeyFromEnvironment,
  openKeyStore,
  startServer,
} from '@latchkey/cli'
import type { Verifier } from '@latchkey/verifier'
import { createApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const databaseUrl = process.env.LATCHKEY_DATABASE_URL ?? DEFAULT_DATABASE_URL
// Every instance that shares a database must name the same issuer, whatever port it listens on.
const issuer = process.env.LATCHKEY_ISSUER ?? `http://localhost:${port}`
// Failures a client address (or key id) may make before brute-force throttling answers 429. Only
// measurements that send thousands of wrong secrets from one address (timing tests) raise it.
const failureLimit =
  process.env.LATCHKEY_FAILURE_LIMIT === undefined ? undefined : Number(process.env.LATCHKEY_FAILURE_LIMIT)
// Relative paths, the default database's too, are resolved where the command was typed (pnpm's
// INIT_CWD): at the repository root, `./latchkey.db` is the file `pnpm latchkey` manages.
const cwd = invocationDirectory(process.env, process.cwd())
// Private signing keys are sealed at rest when LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE) is set.
const keyEncryptionKey = keyEncryptionKeyFromEnvironment(process.env, cwd)
const verifier = {
  ...(keyEncryptionKey ? { keyEncryptionKey } : {}),
  ...(failureLimit === undefined
    ? {}
    : { failureThrottle: { perKeyAndAddress: failureLimit, perAddress: failureLimit, perKey: failureLimit } }),
}

const store = await openKeyStore(databaseUrl, { cwd })
const app = createApp({ store, issuer, verifier })
const server = createServer(app)
// A signing key that cannot be opened, or a port that is taken, stops the server here with one line.
const address = await startServer({ server, host, port, verifier: app.locals.verifier as Verifier })
console.log(`Latchkey example API on http://${host}:${address.port} (issuer ${issuer})`)

function shutdown(): void {
  server.close(() => {
    Promise.resolve((app.locals.verifier as Verifier).close?.())
      .then(() => store.close())
      .finally(() => process.exit(0))
  })
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
