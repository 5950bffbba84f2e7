import type { RateLimit } from '@latchkey/verifier'
import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import { formatDate, formatFields, formatJson } from '../../format.js'
import { withKeyManager } from '../../with-key-manager.js'
import {
  displayCredits,
  displayExpiry,
  displayLastUse,
  displayRateLimits,
  displayRefill,
  displayStatus,
  keyJson,
} from './key-output.js'

/** `latchkey keys show` */
export const show = defineCommand({
  path: 'latchkey keys show',
  summary: 'Show one API key whole; never its secret',
  usage: `Usage: latchkey keys show KEY_ID [--json]

Shows every field of an API key: name, description, account, status, scopes, metadata, when it was
created, expires and was last used, the keys it replaces or was replaced by in a rotation, its rate
limits (and its account's, which apply on top), and its credits: how many are left now, and the
refill with the instant of the next one. The secret and its hash are never shown.

Options:
  --json          Print a JSON object (dates as ISO 8601 strings)
${COMMON_OPTIONS_HELP}
`,
  options: { json: { type: 'boolean' } },
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], values, databaseUrl, io }) {
    const now = new Date()
    const { key, account } = await withKeyManager(databaseUrl, io, async (manager) => {
      const key = await manager.getApiKey(id)
      return { key, account: await manager.getAccount(key.accountId).catch(() => undefined) }
    })
    if (values.json) {
      io.stdout.write(formatJson(keyJson(key, account?.status, now)))
      return
    }
    io.stdout.write(
      formatFields([
        ['ID', key.id],
        ['NAME', key.name ?? ''],
        ['DESCRIPTION', key.description ?? ''],
        ['ACCOUNT', account ? `${key.accountId} (${account.name})` : key.accountId],
        ['STATUS', displayStatus(key, account?.status, now)],
        ['SCOPES', key.scopes.join(' ')],
        ['METADATA', JSON.stringify(key.metadata)],
        ['CREATED', formatDate(key.createdAt)],
        ['EXPIRES', displayExpiry(key)],
        ['LAST USED', displayLastUse(key)],
        ['REPLACES', key.replaces ?? ''],
        ['REPLACED BY', key.replacedBy ?? ''],
        ['RATE LIMITS', displayKeyRateLimits(key.rateLimits, account?.rateLimits)],
        ['CREDITS', displayCredits(key)],
        ['REFILL', displayRefill(key)],
      ]),
    )
  },
})

/** The key's rate limits, and its account's, which apply on top: `10/1s; account: 1000/1h`. */
function displayKeyRateLimits(own: readonly RateLimit[], account: readonly RateLimit[] | undefined): string {
  const shown = displayRateLimits(own)
  return account && account.length > 0 ? `${shown}; account: ${displayRateLimits(account)}` : shown
}
