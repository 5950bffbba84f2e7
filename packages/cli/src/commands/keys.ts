import { resolve } from 'node:path'
import type { AccountStatus } from '@latchkey/verifier'
import { type ApiKeyInfo, isScopeToken, type KeyManager } from '@latchkey/verifier/manage'
import { type CommandGroup, defineCommand } from '../command.js'
import { formatDate, formatJson, formatTable } from '../format.js'
import { formatApiKeyProperties, reserveApiKeyPropertiesFile } from '../properties-file.js'
import { UsageError } from '../usage-error.js'
import { withKeyManager } from '../with-key-manager.js'

const databaseOption = `  --database URL  The key store (default: $LATCHKEY_DATABASE_URL, else sqlite:./latchkey.db)
  -h, --help      Show this help`

const create = defineCommand({
  path: 'latchkey keys create',
  summary: 'Create an API key and save or print its secret',
  usage: `Usage: latchkey keys create --account ACCOUNT_ID [--scope "SCOPE ..."] [--out FILE [--force]]

Creates an API key. Its secret is shown this once: only a hash of it is stored.

With --out, writes the key to FILE in the apiKey.properties format, readable by its owner only
(mode 0600), and prints only the key id. An existing FILE is kept, and no key created, unless
--force is given. Without --out, prints the apiKey.properties text.

Options:
  --account ACCOUNT_ID  The enabled account that owns the key (required)
  --scope "SCOPE ..."   Space-separated scopes the key may be granted (RFC 6749 §3.3);
                        may be repeated; default: none
  --out FILE            Write the key to FILE instead of printing its secret
  --force               Replace FILE if it exists
${databaseOption}
`,
  options: {
    account: { type: 'string' },
    scope: { type: 'string', multiple: true },
    out: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const { account: accountId, out, force = false } = values
    if (accountId === undefined) throw new UsageError('--account is required.', 'latchkey keys create')
    if (force && out === undefined) throw new UsageError('--force applies only with --out.', 'latchkey keys create')
    const scopes = parseScopeOptions(values.scope ?? [])
    await withKeyManager(databaseUrl, io, async (manager) => {
      if (out === undefined) {
        const key = await manager.createApiKey({ accountId, scopes })
        io.stdout.write(formatApiKeyProperties(key))
        return
      }
      // The file is opened before the key exists: a key whose secret cannot be saved would be
      // a key nobody can use.
      const file = reserveApiKeyPropertiesFile(resolve(io.cwd, out), { force })
      const key = await manager.createApiKey({ accountId, scopes }).catch((error: unknown) => {
        file.abandon()
        throw error
      })
      try {
        file.write(key)
      } catch (error) {
        await revokeUnsaved(manager, key.id, error)
      }
      io.stdout.write(`${key.id}\n`)
    })
  },
})

/** Splits each `--scope` value on whitespace and checks each token, before anything is created. */
function parseScopeOptions(values: readonly string[]): string[] {
  const scopes = values.flatMap((value) => value.split(/\s+/)).filter((scope) => scope !== '')
  const invalid = scopes.find((scope) => !isScopeToken(scope))
  if (invalid !== undefined) {
    throw new UsageError(
      `${JSON.stringify(invalid)} is not a valid scope: use printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3).`,
      'latchkey keys create',
    )
  }
  return [...new Set(scopes)]
}

/** A key whose secret was lost is revoked, so it cannot linger unused but enabled. */
async function revokeUnsaved(manager: KeyManager, id: string, error: unknown): Promise<never> {
  const reason = error instanceof Error ? error.message : String(error)
  try {
    await manager.revokeApiKey(id)
  } catch {
    throw new Error(`${reason} API key ${id} was created but its secret was not saved: revoke it.`, { cause: error })
  }
  throw new Error(`${reason} API key ${id} was revoked, since its secret could not be saved.`, { cause: error })
}

const list = defineCommand({
  path: 'latchkey keys list',
  summary: 'List API keys, oldest first; never their secrets',
  usage: `Usage: latchkey keys list [--account ACCOUNT_ID] [--json]

Lists API keys, oldest first. Secrets are never shown: they are not stored.
A key of a disabled account shows "(account disabled)": it does not work until the account is enabled.
LAST USED is when the key last authenticated a request, as servers record it: up to a minute late
(their flush interval), "never" when no use was recorded.

Options:
  --account ACCOUNT_ID  Only the keys of this account
  --json                Print a JSON array (dates as ISO 8601 strings) instead of a table
${databaseOption}
`,
  options: { account: { type: 'string' }, json: { type: 'boolean' } },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const { account: accountId } = values
    const { keys, accountStatuses } = await withKeyManager(databaseUrl, io, async (manager) => {
      // An unknown account is an error rather than an empty list, so a typo does not pass for "no keys".
      if (accountId !== undefined) await manager.getAccount(accountId)
      const accounts = await manager.listAccounts()
      return {
        keys: await manager.listApiKeys({ accountId }),
        accountStatuses: new Map(accounts.map((account) => [account.id, account.status])),
      }
    })
    if (values.json) {
      io.stdout.write(formatJson(keys.map((key) => keyJson(key, accountStatuses.get(key.accountId)))))
    } else if (keys.length === 0) {
      io.stdout.write('No API keys yet; create one with: latchkey keys create --account ACCOUNT_ID\n')
    } else {
      io.stdout.write(
        formatTable(
          ['ID', 'ACCOUNT', 'STATUS', 'SCOPES', 'CREATED', 'LAST USED'],
          keys.map((key) => [
            key.id,
            key.accountId,
            displayStatus(key, accountStatuses.get(key.accountId)),
            key.scopes.join(' '),
            formatDate(key.createdAt),
            key.lastUsedAt ? formatDate(key.lastUsedAt) : 'never',
          ]),
        ),
      )
    }
  },
})

/** Fields listed one by one, so neither a secret nor a hash can ever slip into the output. */
function keyJson(key: ApiKeyInfo, accountStatus: AccountStatus | undefined) {
  return {
    id: key.id,
    accountId: key.accountId,
    status: key.status,
    accountStatus: accountStatus ?? null,
    scopes: key.scopes,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt ?? null,
  }
}

function displayStatus(key: ApiKeyInfo, accountStatus: AccountStatus | undefined): string {
  return key.status !== 'revoked' && accountStatus === 'disabled' ? `${key.status} (account disabled)` : key.status
}

const disable = defineCommand({
  path: 'latchkey keys disable',
  summary: 'Shut out a key and its tokens until enabled',
  usage: `Usage: latchkey keys disable KEY_ID

Disables an API key: it and every access token issued to it stop working until "latchkey keys enable".

Options:
${databaseOption}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    const key = await withKeyManager(databaseUrl, io, (manager) => manager.disableApiKey(id))
    io.stdout.write(`${key.id} disabled\n`)
  },
})

const enable = defineCommand({
  path: 'latchkey keys enable',
  summary: 'Let a disabled key work again',
  usage: `Usage: latchkey keys enable KEY_ID

Enables a disabled API key again. A revoked key cannot be enabled: create a new one.

Options:
${databaseOption}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    const key = await withKeyManager(databaseUrl, io, (manager) => manager.enableApiKey(id))
    io.stdout.write(`${key.id} enabled\n`)
  },
})

const revoke = defineCommand({
  path: 'latchkey keys revoke',
  summary: 'Shut out a key and its tokens for good',
  usage: `Usage: latchkey keys revoke KEY_ID

Revokes an API key: it and every access token issued to it stop working, for good.

Options:
${databaseOption}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    const key = await withKeyManager(databaseUrl, io, (manager) => manager.revokeApiKey(id))
    io.stdout.write(`${key.id} revoked\n`)
  },
})

/** `latchkey keys …` */
export const keys: CommandGroup = {
  summary: 'Create, list, disable, enable and revoke API keys',
  usage: `Usage: latchkey keys COMMAND [OPTIONS]

Commands:
  create --account ACCOUNT_ID [--scope "SCOPE ..."] [--out FILE [--force]]
                                          ${create.summary}
  list [--account ACCOUNT_ID] [--json]    ${list.summary}
  disable KEY_ID                          ${disable.summary}
  enable KEY_ID                           ${enable.summary}
  revoke KEY_ID                           ${revoke.summary}

Run "latchkey keys COMMAND --help" for a command's options.
`,
  commands: { create, list, disable, enable, revoke },
}
