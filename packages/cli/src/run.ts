import { API_KEY_SECRET_PREFIX } from '@latchkey/verifier/manage'
import packageJson from '../package.json' with { type: 'json' }
import { type CliIo, processIo } from './cli-io.js'
import type { Command, CommandGroup } from './command.js'
import { accounts } from './commands/accounts.js'
import { keys } from './commands/keys/index.js'
import { serve } from './commands/serve.js'
import { signingKeys } from './commands/signing-keys.js'
import { UsageError } from './usage-error.js'

const groups: Readonly<Record<string, CommandGroup>> = { accounts, keys, 'signing-keys': signingKeys }
/** Commands without a group. */
const commands: Readonly<Record<string, Command>> = { serve }

const usage = `Usage: latchkey [--database URL] COMMAND [OPTIONS]

Manage the accounts, API keys and signing keys of a Latchkey key store.

Commands:
  accounts create --name NAME [--email EMAIL] [--meta KEY=VALUE]... [--json]
  accounts update ACCOUNT_ID [--name NAME] [--email EMAIL] [--meta KEY=VALUE]... [--unset-meta KEY]...
                  [--rate-limit COUNT/WINDOW... | --no-rate-limit]
  accounts list [--json]
  accounts disable ACCOUNT_ID
  accounts enable ACCOUNT_ID
  accounts usage ACCOUNT_ID [--since DURATION] [--json]
  keys create --account ACCOUNT_ID [--name NAME] [--description TEXT] [--scope "SCOPE ..."]
              [--expires-in DURATION | --expires-at ISO8601] [--meta KEY=VALUE]...
              [--rate-limit COUNT/WINDOW]... [--credits N] [--refill N/day|N/month] [--out FILE [--force]] [--json]
  keys import --account ACCOUNT_ID (--from FILE | --id KEY_ID (--secret-stdin | --secret-hash HASH)) [...] [--json]
  keys update KEY_ID [--name NAME] [--description TEXT] [--scope "SCOPE ..."]
              [--expires-in DURATION | --expires-at ISO8601 | --no-expiry] [--meta KEY=VALUE]... [--unset-meta KEY]...
              [--rate-limit COUNT/WINDOW... | --no-rate-limit] [--credits N] [--refill N/day|N/month | --no-refill]
              [--no-credits]
  keys rotate KEY_ID [--overlap DURATION] [--out FILE [--force]] [--json]
  keys list [--account ACCOUNT_ID] [--expiring-within DURATION] [--json]
  keys show KEY_ID [--json]
  keys disable KEY_ID
  keys enable KEY_ID
  keys revoke KEY_ID
  keys usage KEY_ID [--since DURATION] [--json]
  signing-keys rotate [--activate-in SECONDS] [--token-lifetime SECONDS] [--algorithm ALG]
                      [--refresh-interval SECONDS] [--json]
  signing-keys list [--json]
  signing-keys reseal [--previous-key-file PATH] [--decrypt]
  serve [--host HOST] [--port PORT] [--config FILE] [--trusted-proxies LIST]
  help [COMMAND]

DURATION is a whole number and a unit: 90s, 15m, 24h, 30d. ISO8601 is 2030-01-31 (midnight UTC)
or a time with its zone, 2030-01-31T09:00:00Z. COUNT/WINDOW is a number of requests per a window
of a whole number and s, m, h or d: 10/1s, 1000/1h, 100/m.

Options:
  --database URL  The key store, before or after the command: sqlite:PATH (relative to the
                  working directory, or absolute), sqlite:///ABSOLUTE/PATH, or
                  postgres://USER:PASSWORD@HOST:PORT/DATABASE.
                  Default: $LATCHKEY_DATABASE_URL, else sqlite:./latchkey.db
                  "accounts create" creates an SQLite file that does not exist yet; every other
                  command refuses one, so a mistyped path is not taken for an empty store.
  -h, --help      Show help; "latchkey COMMAND --help" (or "latchkey help COMMAND") shows a
                  command's options
  --version       Show the version

Exit codes: 0 success, 1 failure (unknown id, missing database, file or store error), 2 usage error.
`

/**
 * Runs the `latchkey` command line `argv` (without the `node` and script paths) and returns its
 * exit code: `0` on success, `1` when the command failed, `2` for a usage error. Never throws:
 * errors are reported on `io.stderr` as one line, and never include a secret.
 *
 * @param io - Streams, environment and working directory. Default: this process's.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await dispatch(argv, io)
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      const hint = error.command === undefined ? '' : ` Run "${error.command} --help" for usage.`
      io.stderr.write(`latchkey: error: ${printable(error.message)}${hint}\n`)
      return 2
    }
    const message = error instanceof Error ? error.message : String(error)
    io.stderr.write(`latchkey: error: ${printable(message)}\n`)
    return 1
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<void> {
  // Options before the command name: only the global ones; the command parses the rest.
  let database: string | undefined
  let index = 0
  for (; index < argv.length; index++) {
    const arg = argv[index] ?? ''
    if (!arg.startsWith('-')) break
    if (arg === '--help' || arg === '-h') {
      io.stdout.write(usage)
      return
    }
    if (arg === '--version') {
      io.stdout.write(`${packageJson.version}\n`)
      return
    }
    if (arg === '--database') {
      database = argv[++index]
      // As `parseArgs` does for a command's options: `--database --help` is a forgotten value.
      if (database === undefined || (database.length > 1 && database.startsWith('-'))) {
        throw new UsageError('--database needs a value.', 'latchkey')
      }
    } else if (arg.startsWith('--database=')) {
      database = arg.slice('--database='.length)
    } else {
      throw new UsageError(`Unknown option ${optionName(arg)}.`, 'latchkey')
    }
  }

  const [name, ...rest] = argv.slice(index)
  if (name === undefined) {
    io.stderr.write(usage)
    throw new UsageError('A command is missing.', undefined)
  }
  // `latchkey help keys create` is `latchkey keys create --help`, whatever follows: one help text, one way to find it.
  if (name === 'help') return dispatch([...rest, '--help'], io)
  const single = lookup(commands, name)
  if (single) return single.run(rest, { io, database })
  const group = lookup(groups, name)
  if (!group) throw new UsageError(`Unknown command ${JSON.stringify(name)}.`, 'latchkey')
  const [commandName, ...args] = rest
  if (commandName === '--help' || commandName === '-h') {
    io.stdout.write(group.usage)
    return
  }
  if (commandName === undefined) {
    io.stderr.write(group.usage)
    throw new UsageError(`latchkey ${name} needs a command.`, undefined)
  }
  const command = lookup(group.commands, commandName)
  if (!command) {
    const message = commandName.startsWith('-')
      ? `latchkey ${name} needs a command before its options.`
      : `latchkey ${name} has no command ${JSON.stringify(commandName)}.`
    throw new UsageError(message, `latchkey ${name}`)
  }
  await command.run(args, { io, database })
}

/** `record[key]` if `key` is its own: a command named `constructor` or `__proto__` is unknown. */
function lookup<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** `--name=value` → `--name`: a value typed by mistake may be a secret. */
function optionName(arg: string): string {
  return arg.split('=', 1)[0] ?? arg
}

const secretPattern = new RegExp(`${API_KEY_SECRET_PREFIX}[A-Za-z0-9]+`, 'g')

/**
 * One line, without control characters, and with any secret masked: a secret pasted where an id
 * belongs would otherwise come back in "No API key has the id …" and end up in logs.
 */
function printable(message: string): string {
  return (
    message
      .replace(secretPattern, `${API_KEY_SECRET_PREFIX}***`)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
      .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
      .trim()
  )
}
