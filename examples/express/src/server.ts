import { DEFAULT_DATABASE_URL, keyEncryptionKeyFromEnvironment, openKeyStore } from '@latchkey/cli'
import { isLatchkeyError, type Verifier } from '@latchkey/verifier'
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
// Private signing keys are sealed at rest when LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE) is set.
const keyEncryptionKey = keyEncryptionKeyFromEnvironment(process.env, process.cwd())
const verifier = {
  ...(keyEncryptionKey ? { keyEncryptionKey } : {}),
  ...(failureLimit === undefined
    ? {}
    : { failureThrottle: { perKeyAndAddress: failureLimit, perAddress: failureLimit, perKey: failureLimit } }),
}

const store = await openKeyStore(databaseUrl)
const app = createApp({ store, issuer, verifier })
try {
  // A signing key that cannot be opened stops the server here, not at the first token request.
  await (app.locals.verifier as Verifier).ready?.()
} catch (error) {
  // A store that is down now is tried again by each request, which answers 503 meanwhile.
  if (isLatchkeyError(error) && error.code === 'ERR_KEY_ENCRYPTION') {
    console.error(`latchkey: ${error.message}`)
    process.exit(1)
  }
}
const server = app.listen(port, host, () => {
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  console.log(`Latchkey example API on http://${host}:${actualPort} (issuer ${issuer})`)
})

function shutdown(): void {
  server.close(() => {
    Promise.resolve((app.locals.verifier as Verifier).close?.())
      .then(() => store.close())
      .finally(() => process.exit(0))
  })
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
