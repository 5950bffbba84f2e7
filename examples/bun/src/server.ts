import { listenFailureMessage, openServerStore, readServerSettings } from '@latchkey/cli'
import { isLatchkeyError } from '@latchkey/verifier'
import { createApp } from './app.js'
import { sqliteRefusal } from './sqlite-refusal.js'

// examples/deno/src/server.ts is this file with Deno's APIs.

/** Writes `line` on stderr and exits with 1: a setting to fix, said in one line, without a stack trace. */
function exitWith(line: string): never {
  console.error(line)
  process.exit(1)
}

// PORT, HOST, LATCHKEY_ISSUER, LATCHKEY_DATABASE_URL, LATCHKEY_FAILURE_LIMIT and
// LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE): a malformed one, or a store that cannot be opened, stops
// the server here with one line naming it. A relative key file is read where the command was typed.
const settings = await readServerSettings(process.env, process.cwd())
const { host, port, issuer } = settings
const refusal = sqliteRefusal(settings.databaseUrl)
if (refusal) exitWith(refusal)
const store = await openServerStore(settings)
const { fetch, verifier } = createApp({ store, issuer, verifier: settings.verifier })

// As startServer (@latchkey/cli) does for node:http servers: a key-encryption key that opens no
// signing key stops the server before it listens; a store that is down does not (each request
// tries it again, and answers 503 meanwhile).
try {
  await verifier.ready?.()
} catch (error) {
  if (!isLatchkeyError(error)) throw error
  if (error.code === 'ERR_KEY_ENCRYPTION') exitWith(`latchkey: ${error.message}`)
  if (error.code !== 'ERR_STORE_UNAVAILABLE') throw error
}

function listen(): Bun.Server {
  try {
    return Bun.serve({ hostname: host, port, fetch })
  } catch (error) {
    // A port that is taken, or a HOST that is not this machine's: one line naming the setting.
    const message = listenFailureMessage(error, { host, port })
    if (message === undefined) throw error
    return exitWith(message)
  }
}
const server = listen()

function shutdown(): void {
  server
    .stop()
    .then(() => verifier.close?.())
    .then(() => store.close())
    .finally(() => process.exit(0))
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
// Said last, once a signal would stop the server cleanly: a supervisor (or a test) may act on it at once.
console.log(`Latchkey example API on http://${host}:${server.port} (issuer ${issuer})`)
