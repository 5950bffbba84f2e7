import { DEFAULT_DATABASE_URL, keyEncryptionKeyFromEnvironment, openKeyStore } from '@latchkey/cli'
import { createApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const host = process.env.HOST ?? '127.0.0.1'
const databaseUrl = process.env.LATCHKEY_DATABASE_URL ?? DEFAULT_DATABASE_URL
// Every instance that shares a database must name the same issuer, whatever port it listens on.
const issuer = process.env.LATCHKEY_ISSUER ?? `http://localhost:${port}`

const store = await openKeyStore(databaseUrl)
// Private signing keys are sealed at rest when LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE) is set.
const keyEncryptionKey = keyEncryptionKeyFromEnvironment(process.env, process.cwd())
const verifier = keyEncryptionKey ? { keyEncryptionKey } : {}
const app = await createApp({ store, issuer, verifier })
await app.listen({ port, host })
const address = app.server.address()
const actualPort = typeof address === 'object' && address ? address.port : port
console.log(`Latchkey example API on http://${host}:${actualPort} (issuer ${issuer})`)

function shutdown(): void {
  app.close().finally(() => {
    Promise.resolve(store.close()).finally(() => process.exit(0))
  })
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
