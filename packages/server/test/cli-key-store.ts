import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The built `latchkey` command: the one operators run. */
export const LATCHKEY_BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url))

/** A key as `latchkey keys create --json` printed it. */
export interface CliKey {
  readonly id: string
  readonly secret: string
  readonly accountId: string
  readonly name: string | null
  readonly scopes: readonly string[]
}

/** What else `keys create` is given. */
export interface CliKeyOptions {
  readonly name?: string
  /** `--meta` pairs. Default: `{ plan: 'pro' }`. */
  readonly metadata?: Readonly<Record<string, string>>
  /** `--rate-limit` values, such as `5/10s`. Default: none. */
  readonly rateLimits?: readonly string[]
}

/** A throwaway SQLite key store, written only through the real CLI, as an operator would. */
export interface CliKeyStore {
  /** The SQLite file. */
  readonly file: string
  /** `sqlite:FILE`, for `--database`. */
  readonly databaseUrl: string
  /** `latchkey accounts create --name NAME`: the account's id. */
  createAccount(name: string): Promise<string>
  /** `latchkey keys create --account ID --scope "…" [--name NAME] --meta KEY=VALUE… --json`. */
  createKey(accountId: string, scopes: readonly string[], options?: CliKeyOptions): Promise<CliKey>
  /** `latchkey keys revoke ID`. */
  revoke(id: string): Promise<void>
}

/**
 * The SQLite store `keys.db` in `directory` (which must exist), created by the first account; or,
 * given `postgresUrl`, that Postgres database (`file` is then unused).
 */
export function cliKeyStore(directory: string, postgresUrl?: string): CliKeyStore {
  const file = join(directory, 'keys.db')
  const databaseUrl = postgresUrl ?? `sqlite:${file}`
  const latchkey = (...args: string[]) => runLatchkey(['--database', databaseUrl, ...args], directory)
  return {
    file,
    databaseUrl,
    async createAccount(name) {
      return (await latchkey('accounts', 'create', '--name', name)).trim()
    },
    async createKey(accountId, scopes, { name, metadata = { plan: 'pro' }, rateLimits = [] } = {}) {
      const meta = Object.entries(metadata).flatMap(([key, value]) => ['--meta', `${key}=${value}`])
      const limits = rateLimits.flatMap((limit) => ['--rate-limit', limit])
      const named = name === undefined ? [] : ['--name', name]
      const printed = await latchkey(
        'keys',
        'create',
        '--account',
        accountId,
        '--scope',
        scopes.join(' '),
        ...meta,
        ...named,
        ...limits,
        '--json',
      )
      const key = JSON.parse(printed) as CliKey
      return { id: key.id, secret: key.secret, accountId: key.accountId, name: key.name, scopes: key.scopes }
    },
    async revoke(id) {
      await latchkey('keys', 'revoke', id)
    },
  }
}

/** Runs `latchkey args` in `cwd`; rejects with its output when it fails or outlives `timeout` ms. */
function runLatchkey(args: readonly string[], cwd: string, timeout = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // PATH only: a developer's LATCHKEY_DATABASE_URL or LATCHKEY_KEY_ENCRYPTION_KEY must not reach the command.
    execFile(
      process.execPath,
      [LATCHKEY_BIN, ...args],
      { cwd, env: { PATH: process.env.PATH }, timeout },
      (error, stdout, stderr) =>
        error ? reject(new Error(`latchkey ${args.join(' ')} failed:\n${stdout}${stderr}`)) : resolve(stdout),
    )
  })
}

/** The `Authorization` value of HTTP Basic with key id `id` and `secret`. */
export function basicAuthorization(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}
