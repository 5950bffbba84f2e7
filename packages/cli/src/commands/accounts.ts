import { type Account, type AccountStatus, formatRateLimit } from '@latchkey/verifier'
import type { KeyManager, UpdateAccountOptions } from '@latchkey/verifier/manage'
import { checkArguments } from '../argument-check.js'
import { COMMON_OPTIONS_HELP, type CommandGroup, defineCommand } from '../command.js'
import { formatDate, formatJson, formatTable } from '../format.js'
import { applyMetadataEdits, hasMetadataEdits, parseMetadataOptions } from '../key-field-options.js'
import { UsageError } from '../usage-error.js'
import { parseRateLimitOptions, rateLimitOptions, rateLimitRemovalOptions } from '../usage-limit-options.js'
import { withKeyManager } from '../with-key-manager.js'
import { accountUsage } from './account-usage.js'

const create = defineCommand({
  path: 'latchkey accounts create',
  summary: 'Create an account and print its id',
  usage: `Usage: latchkey accounts create --name NAME [--email EMAIL] [--meta KEY=VALUE]... [--json]

Creates an enabled account and prints its id, and nothing else, so scripts can capture it:
  ACCOUNT=$(latchkey accounts create --name "Acme")
This is the command that creates a new SQLite database, when its file does not exist yet; one line
on stderr then says so. Every other command refuses a database file that does not exist.

Options:
  --name NAME       A display name, 1 to 200 characters, one line (required)
  --email EMAIL     A contact address, stored as given
  --meta KEY=VALUE  Metadata (the VALUE is kept as a string); may be repeated; at most 4096 bytes
                    as JSON in all
  --json            Print the new account as a JSON object, as "accounts list --json" does
${COMMON_OPTIONS_HELP}
`,
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    meta: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const path = 'latchkey accounts create'
    const { name, email } = values
    if (name === undefined) throw new UsageError('--name is required.', path)
    const metadata = Object.fromEntries(parseMetadataOptions(values.meta ?? [], [], path).set)
    const options = { name, email, metadata }
    await checkArguments(path, (manager) => manager.createAccount(options))
    const account = await withKeyManager(databaseUrl, io, (manager) => manager.createAccount(options), {
      create: true,
    })
    io.stdout.write(values.json ? formatJson(accountJson(account)) : `${account.id}\n`)
  },
})

const update = defineCommand({
  path: 'latchkey accounts update',
  summary: "Change an account's name, email, metadata or rate limits",
  usage: `Usage: latchkey accounts update ACCOUNT_ID [--name NAME] [--email EMAIL] [--meta KEY=VALUE]... [--unset-meta KEY]...
         [--rate-limit COUNT/WINDOW... | --no-rate-limit]

Changes the fields given, and only those, and prints "ACCOUNT_ID updated". The account's rate
limits are shared by all its keys: every request of any of them counts against each, on top of the
key's own limits.

Options:
  --name NAME         A new display name, 1 to 200 characters
  --email EMAIL       A new contact address; "" removes it
  --meta KEY=VALUE    Set one metadata key (the VALUE is kept as a string), keeping the others
  --unset-meta KEY    Remove one metadata key, keeping the others
  --rate-limit COUNT/WINDOW
                      At most COUNT requests per WINDOW for all the keys together, WINDOW a
                      whole number and s, m, h or d (10/1s, 1000/1h, 100/m); may be repeated,
                      one per window, up to 8; replaces all the old ones
  --no-rate-limit     Remove every rate limit of the account
${COMMON_OPTIONS_HELP}
`,
  options: {
    name: { type: 'string' },
    email: { type: 'string' },
    meta: { type: 'string', multiple: true },
    'unset-meta': { type: 'string', multiple: true },
    ...rateLimitOptions,
    ...rateLimitRemovalOptions,
  },
  positionals: ['ACCOUNT_ID'],
  async run({ positionals: [id = ''], values, databaseUrl, io }) {
    const path = 'latchkey accounts update'
    const edits = parseMetadataOptions(values.meta ?? [], values['unset-meta'] ?? [], path)
    const changes: { -readonly [K in keyof UpdateAccountOptions]: UpdateAccountOptions[K] } = {}
    if (values.name !== undefined) changes.name = values.name
    if (values.email !== undefined) changes.email = values.email === '' ? null : values.email
    const rateLimits = parseRateLimitOptions(values, path)
    if (rateLimits !== undefined) changes.rateLimits = rateLimits
    if (Object.keys(changes).length === 0 && !hasMetadataEdits(edits)) {
      throw new UsageError(
        'Give at least one change: --name, --email, --meta, --unset-meta, --rate-limit or --no-rate-limit.',
        path,
      )
    }
    // The metadata given alone: whether it still fits once merged is known only from the store.
    const metadata = Object.fromEntries(edits.set)
    await checkArguments(path, (manager) => manager.updateAccount(id, { ...changes, metadata }))
    const account = await withKeyManager(databaseUrl, io, async (manager) => {
      // Metadata edits merge into what the account holds now.
      if (hasMetadataEdits(edits)) changes.metadata = applyMetadataEdits((await manager.getAccount(id)).metadata, edits)
      return manager.updateAccount(id, changes)
    })
    io.stdout.write(`${account.id} updated\n`)
  },
})

const list = defineCommand({
  path: 'latchkey accounts list',
  summary: 'List accounts, oldest first',
  usage: `Usage: latchkey accounts list [--json]

Lists accounts, oldest first.

Options:
  --json          Print a JSON array (dates as ISO 8601 strings, metadata included) instead of a table
${COMMON_OPTIONS_HELP}
`,
  options: { json: { type: 'boolean' } },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const accounts = await withKeyManager(databaseUrl, io, (manager) => manager.listAccounts())
    if (values.json) {
      io.stdout.write(formatJson(accounts.map(accountJson)))
    } else if (accounts.length === 0) {
      io.stdout.write('No accounts yet; create one with: latchkey accounts create --name NAME\n')
    } else {
      io.stdout.write(
        formatTable(
          ['ID', 'NAME', 'EMAIL', 'STATUS', 'CREATED', 'RATE LIMITS'],
          accounts.map((account) => [
            account.id,
            account.name,
            account.email ?? '',
            account.status,
            formatDate(account.createdAt),
            (account.rateLimits ?? []).map(formatRateLimit).join(' '),
          ]),
        ),
      )
    }
  },
})

/** Fields listed one by one, so a field added to `Account` is published only on purpose. */
function accountJson(account: Account) {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    status: account.status,
    createdAt: account.createdAt,
    metadata: account.metadata,
    rateLimits: (account.rateLimits ?? []).map(({ count, window }) => ({ count, window })),
  }
}

const disable = defineCommand({
  path: 'latchkey accounts disable',
  summary: "Shut out all of an account's keys and tokens",
  usage: `Usage: latchkey accounts disable ACCOUNT_ID

Disables an account: all its keys, and every access token issued to them, stop working at once.
The keys keep their own status and work again after "latchkey accounts enable".
Prints "ACCOUNT_ID disabled", or "ACCOUNT_ID was already disabled" (exit code 0, nothing written).

Options:
${COMMON_OPTIONS_HELP}
`,
  options: {},
  positionals: ['ACCOUNT_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    io.stdout.write(await withKeyManager(databaseUrl, io, (manager) => setStatus(manager, id, 'disabled')))
  },
})

const enable = defineCommand({
  path: 'latchkey accounts enable',
  summary: 'Let a disabled account use its keys again',
  usage: `Usage: latchkey accounts enable ACCOUNT_ID

Enables an account again: its enabled keys work again; disabled and revoked keys stay as they are.
Prints "ACCOUNT_ID enabled", or "ACCOUNT_ID was already enabled" (exit code 0, nothing written).

Options:
${COMMON_OPTIONS_HELP}
`,
  options: {},
  positionals: ['ACCOUNT_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    io.stdout.write(await withKeyManager(databaseUrl, io, (manager) => setStatus(manager, id, 'enabled')))
  },
})

/**
 * Gives account `id` the status `status` and says so, or says it already had it: then nothing is
 * written, and the command still succeeds, so a script can run it again safely.
 */
async function setStatus(manager: KeyManager, id: string, status: AccountStatus): Promise<string> {
  const before = await manager.getAccount(id)
  if (before.status === status) return `${before.id} was already ${status}\n`
  const account = await (status === 'disabled' ? manager.disableAccount(id) : manager.enableAccount(id))
  return `${account.id} ${status}\n`
}

/** `latchkey accounts …` */
export const accounts: CommandGroup = {
  summary: 'Create, update, list, disable and enable accounts, and show their usage',
  usage: `Usage: latchkey accounts COMMAND [OPTIONS]

Commands:
  create --name NAME [--email EMAIL] [--meta KEY=VALUE]... [--json]
                                       ${create.summary}
  update ACCOUNT_ID [--name NAME] [--email EMAIL] [--meta KEY=VALUE]... [--unset-meta KEY]...
         [--rate-limit COUNT/WINDOW... | --no-rate-limit]
                                       ${update.summary}
  list [--json]                        ${list.summary}
  disable ACCOUNT_ID                   ${disable.summary}
  enable ACCOUNT_ID                    ${enable.summary}
  usage ACCOUNT_ID [--since DURATION] [--json]
                                       ${accountUsage.summary}

Run "latchkey accounts COMMAND --help" for a command's options.
`,
  commands: { create, update, list, disable, enable, usage: accountUsage },
}
