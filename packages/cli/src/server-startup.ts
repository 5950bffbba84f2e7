import type { AddressInfo, Server } from 'node:net'
import { isLatchkeyError, type Verifier } from '@latchkey/verifier'
import { type ClosableKeyStore, openKeyStore } from './open-key-store.js'
import { type ServerSettings, serverSettingsFromEnvironment } from './server-settings.js'
import { UsageError } from './usage-error.js'

/** Where a server is told to listen, as its settings (`HOST`, `PORT`) name it. */
export interface ListenAddress {
  readonly host: string
  readonly port: number
}

/**
 * The one line to print when a server cannot listen at `address` for a reason a setting fixes (the
 * port is taken or not allowed, the host is not this machine's), naming the setting; `undefined` for
 * any other error. `settings` names what sets the port and the host (default: `PORT`, `HOST`).
 */
export function listenFailureMessage(
  error: unknown,
  { host, port }: ListenAddress,
  settings: { readonly port: string; readonly host: string } = { port: 'PORT', host: 'HOST' },
): string | undefined {
  const examples = 'such as 127.0.0.1 (or 0.0.0.0 for every interface)'
  switch ((error as { code?: unknown } | null)?.code) {
    case 'EADDRINUSE':
      return `latchkey: port ${port} on ${host} is in use; set ${settings.port} to another port (or stop what listens there).`
    case 'EACCES':
      return `latchkey: port ${port} on ${host} is not open to this process; set ${settings.port} to a port above 1023 (lower ones need privileges).`
    case 'EADDRNOTAVAIL':
      return `latchkey: ${host} is not an address of this machine; set ${settings.host} to one that is, ${examples}.`
    case 'ENOTFOUND':
      return `latchkey: the host name ${host} does not resolve; set ${settings.host} to an address of this machine, ${examples}.`
    case 'ERR_SOCKET_BAD_PORT':
      return `latchkey: ${settings.port} is not a port number; set it to a whole number from 0 to 65535 (0 picks a free port).`
    default:
      return undefined
  }
}

/**
 * The first step of a server's entry point: its settings from `env` ({@link serverSettingsFromEnvironment}).
 * A setting that is malformed (`PORT=abc`, a key-encryption key of the wrong length, an unknown
 * database URL scheme) is written as one `latchkey:` line on stderr naming the variable, without a
 * stack trace, and the process exits with 1.
 *
 * @param env Default: `process.env`.
 * @param cwd Default: `process.cwd()`.
 */
export async function readServerSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): Promise<ServerSettings> {
  try {
    return serverSettingsFromEnvironment(env, cwd)
  } catch (error) {
    if (error instanceof UsageError) return exitWith(`latchkey: ${error.message}`)
    throw error
  }
}

/**
 * Opens the store `settings` name, as {@link openKeyStore} does. A store that cannot be opened (a
 * Postgres server that refuses, a folder that does not exist, a store package not installed) is
 * written as one `latchkey:` line on stderr, which never shows a password, and the process exits with 1.
 */
export async function openServerStore(
  settings: Pick<ServerSettings, 'databaseUrl' | 'cwd'>,
): Promise<ClosableKeyStore> {
  try {
    return await openKeyStore(settings.databaseUrl, { cwd: settings.cwd })
  } catch (error) {
    if (isLatchkeyError(error)) return exitWith(`latchkey: ${error.message}`)
    throw error
  }
}

/** Options of {@link startServer}. */
export interface StartServerOptions extends ListenAddress {
  /** The server to start, not listening yet; the address it gets is what `startServer` resolves with. */
  readonly server: Server
  /**
   * Listens the framework's own way, for a framework that has one (Fastify: `() => app.listen({ port,
   * host })`). Default: `server.listen(port, host)`.
   */
  readonly listen?: (() => Promise<unknown>) | undefined
  /** Its `ready()` is awaited before listening. Default: none (a verifier made where this cannot see it). */
  readonly verifier?: Pick<Verifier, 'ready'> | undefined
}

/**
 * The startup of a server's entry point: awaits `verifier.ready()`, then listens, and resolves with
 * the address the server got (its port, when `port` is 0). A failure that a setting fixes is written
 * as one `latchkey:` line on stderr, without a stack trace, and the process exits with 1: a
 * key-encryption key that opens no signing key (`ERR_KEY_ENCRYPTION`), so the server stops now rather
 * than answer 500 to token requests, and every failure {@link listenFailureMessage} names. A store
 * that is down does not stop it: each request tries the store again and answers 503 meanwhile. Any
 * other error is thrown.
 */
export async function startServer(options: StartServerOptions): Promise<AddressInfo> {
  const { server, host, port } = options
  try {
    await options.verifier?.ready?.()
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    if (error.code === 'ERR_KEY_ENCRYPTION') return exitWith(`latchkey: ${error.message}`)
    if (error.code !== 'ERR_STORE_UNAVAILABLE') throw error
  }
  try {
    await (options.listen ? options.listen() : listen(server, port, host))
  } catch (error) {
    const message = listenFailureMessage(error, { host, port })
    if (message === undefined) throw error
    return exitWith(message)
  }
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error(`The server listens on ${address}, not a port.`)
  return address
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    // A bad port throws here, inside the executor, which rejects the promise.
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** Writes `line` on stderr, then exits with 1; the promise never settles, so the startup goes no further. */
function exitWith(line: string): Promise<never> {
  // Once the line is out: a write to a pipe is asynchronous on POSIX, and process.exit would drop it.
  process.stderr.write(`${line}\n`, () => process.exit(1))
  return new Promise<never>(() => {})
}
