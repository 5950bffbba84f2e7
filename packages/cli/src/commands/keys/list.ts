import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import { parseDuration } from '../../duration.js'
import { formatDate, formatJson, formatTable } from '../../format.js'
import { withKeyManager } from '../../with-key-manager.js'
import { displayExpiry, displayLastUse, displayLimits, displayStatus, keyJson } from './key-output.js'

const path = 'latchkey keys list'

/** `latchkey keys list` */
export const list = defineCommand({
  path,
  summary: 'List API keys, oldest first; never their secrets',
  usage: `Usage: latchkey keys list [--account ACCOUNT_ID] [--expiring-within DURATION] [--json]

Lists API keys, oldest first. Secrets are never shown: they are not stored.
STATUS is enabled, disabled, revoked, or expired (its EXPIRES time has come). A key of a disabled
account shows "(account disabled)": it does not work until the account is enabled.
REPLACED BY names the key a rotation replaced it by; it works until EXPIRES, the overlap's end.
LIMITS shows the key's own rate limits and the credits it has left ("keys show" tells more).
LAST USED is when the key last authenticated a request, as servers record it: up to a minute late
(their flush interval), "never" when no use was recorded.

Options:
  --account ACCOUNT_ID         Only the keys of this account
  --expiring-within DURATION   Only keys still working that expire within 90s, 15m, 24h, 30d...
  --json                       Print a JSON array (dates as ISO 8601 strings) instead of a table
${COMMON_OPTIONS_HELP}
`,
  options: { account: { type: 'string' }, 'expiring-within': { type: 'string' }, json: { type: 'boolean' } },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const { account: accountId } = values
    const window = values['expiring-within']
    const expiringWithin =
      window === undefined ? undefined : parseDuration(window, '--expiring-within', { command: path })
    const now = new Date()
    const { keys, accountStatuses } = await withKeyManager(databaseUrl, io, async (manager) => {
      // An unknown account is an error rather than an empty list, so a typo does not pass for "no keys".
      if (accountId !== undefined) await manager.getAccount(accountId)
      const accounts = await manager.listAccounts()
      return {
        keys: await manager.listApiKeys({ accountId, expiringWithin }),
        accountStatuses: new Map(accounts.map((account) => [account.id, account.status])),
      }
    })
    if (values.json) {
      io.stdout.write(formatJson(keys.map((key) => keyJson(key, accountStatuses.get(key.accountId), now))))
    } else if (keys.length === 0) {
      io.stdout.write(
        window === undefined
          ? 'No API keys yet; create one with: latchkey keys create --account ACCOUNT_ID\n'
          : `No working API key expires within ${window}.\n`,
      )
    } else {
      io.stdout.write(
        formatTable(
          ['ID', 'NAME', 'ACCOUNT', 'STATUS', 'SCOPES', 'LIMITS', 'CREATED', 'EXPIRES', 'LAST USED', 'REPLACED BY'],
          keys.map((key) => [
            key.id,
            key.name ?? '',
            key.accountId,
            displayStatus(key, accountStatuses.get(key.accountId), now),
            key.scopes.join(' '),
            displayLimits(key),
            formatDate(key.createdAt),
            displayExpiry(key),
            displayLastUse(key),
            key.replacedBy ?? '',
          ]),
        ),
      )
    }
  },
})
