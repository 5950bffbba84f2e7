import type { Account } from '@latchkey/verifier'
import { type CommandGroup, defineCommand } from '../command.js'
import { formatDate, formatJson, formatTable } from '../format.js'
import { UsageError } from '../usage-error.js'
import { withKeyManager } from '../with-key-manager.js'

const databaseOption = `  --database URL  The key store (default: $LATCHKEY_DATABASE_URL, else sqlite:./latchkey.db)
  -h, --help      Show this help`

const create = defineCommand({
  path: 'latchkey accounts create',
  summary: 'Create an account and print its id',
  usage: `Usage: latchkey accounts create --name NAME [--email EMAIL]

Creates an enabled account and prints its id, and nothing else, so scripts can capture it:
  ACCOUNT=$(latchkey accounts create --name "Acme")

Options:
  --name NAME     A display name, 1 to 200 characters (required)
  --email EMAIL   A contact address, stored as given
${databaseOption}
`,
  options: { name: { type: 'string' }, email: { type: 'string' } },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const { name, email } = values
    if (name === undefined) throw new UsageError('--name is required.', 'latchkey accounts create')
    const account = await withKeyManager(databaseUrl, io, (manager) => manager.createAccount({ name, email }))
    io.stdout.write(`${account.id}\n`)
  },
})

const list = defineCommand({
  path: 'latchkey accounts list',
  summary: 'List accounts, oldest first',
  usage: `Usage: latchkey accounts list [--json]

Lists accounts, oldest first.

Options:
  --json          Print a JSON array (dates as ISO 8601 strings) instead of a table
${databaseOption}
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
          ['ID', 'NAME', 'EMAIL', 'STATUS', 'CREATED'],
          accounts.map((account) => [
            account.id,
            account.name,
            account.email ?? '',
            account.status,
            formatDate(account.createdAt),
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
  }
}

const disable = defineCommand({
  path: 'latchkey accounts disable',
  summary: "Shut out all of an account's keys and tokens",
  usage: `Usage: latchkey accounts disable ACCOUNT_ID

Disables an account: all its keys, and every access token issued to them, stop working at once.
The keys keep their own status and work again after "latchkey accounts enable".

Options:
${databaseOption}
`,
  options: {},
  positionals: ['ACCOUNT_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    const account = await withKeyManager(databaseUrl, io, (manager) => manager.disableAccount(id))
    io.stdout.write(`${account.id} disabled\n`)
  },
})

const enable = defineCommand({
  path: 'latchkey accounts enable',
  summary: 'Let a disabled account use its keys again',
  usage: `Usage: latchkey accounts enable ACCOUNT_ID

Enables an account again: its enabled keys work again; disabled and revoked keys stay as they are.

Options:
${databaseOption}
`,
  options: {},
  positionals: ['ACCOUNT_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    const account = await withKeyManager(databaseUrl, io, (manager) => manager.enableAccount(id))
    io.stdout.write(`${account.id} enabled\n`)
  },
})

/** `latchkey accounts …` */
export const accounts: CommandGroup = {
  summary: 'Create, list, disable and enable accounts',
  usage: `Usage: latchkey accounts COMMAND [OPTIONS]

Commands:
  create --name NAME [--email EMAIL]   ${create.summary}
  list [--json]                        ${list.summary}
  disable ACCOUNT_ID                   ${disable.summary}
  enable ACCOUNT_ID                    ${enable.summary}

Run "latchkey accounts COMMAND --help" for a command's options.
`,
  commands: { create, list, disable, enable },
}
