import { resolve } from 'node:path'
import { type RedisRateLimitCounter, redisRateLimitCounter } from '@latchkey/redis'
import { type FailureThrottleOptions, type KeyEncryptionKey, validIssuer } from '@latchkey/verifier'
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './database-url.js'
import { keyEncryptionKeyFromEnvironment } from './key-encryption-key.js'
import { UsageError } from './usage-error.js'

/**
 * The directory a server reads its relative settings against (`sqlite:` URLs, the default
 * `sqlite:./latchkey.db` included, and `LATCHKEY_KEY_ENCRYPTION_KEY_FILE`): the one the command was
 * typed in, which npm and pnpm pass as `INIT_CWD` while they run a package's script in the package's
 * own directory; else `cwd`. So `pnpm --filter <example> start` typed at a repository's root opens the
 * `./latchkey.db` of that root, the file the CLI manages when it runs there.
 */
export function invocationDirectory(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const typedIn = env.INIT_CWD
  return typedIn ? resolve(cwd, typedIn) : cwd
}

/** The settings of a server entry point, read from its environment by {@link serverSettingsFromEnvironment}. */
export interface ServerSettings {
  /** `HOST`. Default: `127.0.0.1`. */
  readonly host: string
  /** `PORT`, a whole number from 0 (any free port) to 65535. Default: 3000. */
  readonly port: number
  /**
   * `LATCHKEY_ISSUER`, an absolute http(s) URL without query or fragment. Every instance that shares a
   * database must name the same one, whatever port it listens on. Default: `http://localhost:PORT`.
   */
  readonly issuer: string
  /** `LATCHKEY_DATABASE_URL`, checked to be one of the forms `openKeyStore` opens. Default: `sqlite:./latchkey.db`. */
  readonly databaseUrl: string
  /**
   * The directory relative paths are read against (the database file, `LATCHKEY_KEY_ENCRYPTION_KEY_FILE`):
   * where the command was typed ({@link invocationDirectory}).
   */
  readonly cwd: string
  /**
   * Verifier options the environment sets: `keyEncryptionKey` from `LATCHKEY_KEY_ENCRYPTION_KEY` (or
   * `_FILE`), and `failureThrottle` from `LATCHKEY_FAILURE_LIMIT`, the failures a client address or key
   * may make before throttling answers 429 (only measurements that send thousands of wrong secrets
   * from one address raise it), and `rateLimits` (windows in Redis) from `LATCHKEY_REDIS_URL`. Spread them into the verifier's options; close
   * `rateLimits.counter` at shutdown, after the server stops.
   */
  readonly verifier: {
    readonly keyEncryptionKey?: KeyEncryptionKey
    readonly failureThrottle?: FailureThrottleOptions
    readonly rateLimits?: { readonly counter: RedisRateLimitCounter }
  }
}

/**
 * Reads and checks a server's settings from `env` (see {@link ServerSettings} for the variables and
 * their defaults), so that a mistyped setting is reported by name before anything starts.
 *
 * @param cwd The process's working directory; relative paths are read against {@link invocationDirectory}.
 * @throws {UsageError} A one-sentence message naming the variable and what it must hold.
 */
export function serverSettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ServerSettings {
  const port = portNumber(env.PORT, 'PORT', 3000)
  const issuer = env.LATCHKEY_ISSUER ?? `http://localhost:${port}`
  try {
    validIssuer(issuer)
  } catch {
    throw new UsageError(
      'LATCHKEY_ISSUER must be an absolute http(s) URL without query or fragment, such as https://api.example.com (RFC 8414 §2).',
      undefined,
    )
  }
  const databaseUrl = env.LATCHKEY_DATABASE_URL || DEFAULT_DATABASE_URL
  try {
    parseDatabaseUrl(databaseUrl)
  } catch (error) {
    throw new UsageError(`LATCHKEY_DATABASE_URL: ${(error as Error).message}`, undefined, { cause: error })
  }
  const directory = invocationDirectory(env, cwd)
  const keyEncryptionKey = keyEncryptionKeyFromEnvironment(env, directory)
  const limit = env.LATCHKEY_FAILURE_LIMIT === undefined ? undefined : failureLimit(env)
  // Last: it opens a connection, which no later mistake may leave open.
  const rateLimits = redisRateLimitsFromEnvironment(env)
  return {
    host: env.HOST || '127.0.0.1',
    port,
    issuer,
    databaseUrl,
    cwd: directory,
    verifier: {
      ...(keyEncryptionKey ? { keyEncryptionKey } : {}),
      ...(limit === undefined
        ? {}
        : { failureThrottle: { perKeyAndAddress: limit, perAddress: limit, perKey: limit } }),
      ...(rateLimits ? { rateLimits } : {}),
    },
  }
}

/**
 * `LATCHKEY_REDIS_URL` (`redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, or `rediss://…` for TLS) as the
 * verifier's `rateLimits`: rate-limit windows in that Redis, shared by every instance that names it,
 * instead of the store's (Postgres) or this process's memory (SQLite). Its client connects now and
 * reconnects by itself; close `counter` at shutdown. Default (unset or empty): `undefined`.
 *
 * @throws {UsageError} When it is not such a URL; the message never repeats it (it may hold a password).
 */
export function redisRateLimitsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): { readonly counter: RedisRateLimitCounter } | undefined {
  const url = env.LATCHKEY_REDIS_URL?.trim()
  if (!url) return undefined
  if (!isRedisUrl(url)) {
    throw new UsageError(
      'LATCHKEY_REDIS_URL must be a redis:// or rediss:// URL with a host, such as redis://127.0.0.1:6379.',
      undefined,
    )
  }
  return { counter: redisRateLimitCounter({ url }) }
}

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== ''
  } catch {
    return false
  }
}

function failureLimit(env: Readonly<Record<string, string | undefined>>): number {
  return wholeNumber(
    env.LATCHKEY_FAILURE_LIMIT,
    'LATCHKEY_FAILURE_LIMIT',
    0,
    1,
    1_000_000,
    'the failures allowed before throttling',
  )
}

/**
 * `text` as a port, 0 to 65535 (0 picks a free one), `fallback` when unset or empty.
 *
 * @param name The setting, as the message names it: `PORT`, `--port`.
 * @throws {UsageError}
 */
export function portNumber(text: string | undefined, name: string, fallback: number): number {
  return wholeNumber(text, name, fallback, 0, 65_535, 'a port number (0 picks a free port)')
}

/** `text` as a whole number from `min` to `max`, `fallback` when unset or empty. */
function wholeNumber(
  given: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
  meaning: string,
): number {
  const text = given?.trim()
  if (!text) return fallback
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (value >= min && value <= max) return value
  throw new UsageError(`${name} must be ${meaning}, a whole number from ${min} to ${max}.`, undefined)
}
