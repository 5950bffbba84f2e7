import type { UpdateApiKeyOptions } from '@latchkey/verifier/manage'
import { checkArguments } from '../../argument-check.js'
import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import {
  applyMetadataEdits,
  hasMetadataEdits,
  parseExpiryOptions,
  parseMetadataOptions,
  parseScopeOptions,
} from '../../key-field-options.js'
import { UsageError } from '../../usage-error.js'
import {
  creditHelp,
  creditOptions,
  creditRemovalOptions,
  parseCreditOptions,
  parseRateLimitOptions,
  rateLimitHelp,
  rateLimitOptions,
  rateLimitRemovalOptions,
} from '../../usage-limit-options.js'
import { withKeyManager } from '../../with-key-manager.js'

const path = 'latchkey keys update'

/** `latchkey keys update` */
export const update = defineCommand({
  path,
  summary: "Change a key's name, description, scopes, expiry, metadata, rate limits or credits",
  usage: `Usage: latchkey keys update KEY_ID [--name NAME] [--description TEXT] [--scope "SCOPE ..."]
         [--expires-in DURATION | --expires-at ISO8601 | --no-expiry] [--meta KEY=VALUE]... [--unset-meta KEY]...
         [--rate-limit COUNT/WINDOW... | --no-rate-limit] [--credits N] [--refill N/day|N/month | --no-refill]
         [--no-credits]

Changes the fields given, and only those, and prints "KEY_ID updated". Servers see the change at
once (Postgres) or within their cache time (SQLite). A revoked key cannot be changed.
A key made by rotation shares its credits with the key it replaced: --credits sets them for both.

Options:
  --name NAME               A new display name; "" removes it
  --description TEXT        A new description; "" removes it
  --scope "SCOPE ..."       The new scopes, replacing all the old ones; may be repeated; "" for none.
                            Tokens issued before keep their scopes until they expire
  --expires-in DURATION     Expire the key 90s, 15m, 24h, 30d... from now
  --expires-at ISO8601      Expire the key at 2030-01-31 (midnight UTC), 2030-01-31T09:00:00Z...
  --no-expiry               Let the key never expire
  --meta KEY=VALUE          Set one metadata key (the VALUE is kept as a string), keeping the others
  --unset-meta KEY          Remove one metadata key, keeping the others
${rateLimitHelp(true)}
${creditHelp(true)}
${COMMON_OPTIONS_HELP}
`,
  options: {
    name: { type: 'string' },
    description: { type: 'string' },
    scope: { type: 'string', multiple: true },
    'expires-in': { type: 'string' },
    'expires-at': { type: 'string' },
    'no-expiry': { type: 'boolean' },
    meta: { type: 'string', multiple: true },
    'unset-meta': { type: 'string', multiple: true },
    ...rateLimitOptions,
    ...rateLimitRemovalOptions,
    ...creditOptions,
    ...creditRemovalOptions,
  },
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], values, databaseUrl, io }) {
    const edits = parseMetadataOptions(values.meta ?? [], values['unset-meta'] ?? [], path)
    const changes: { -readonly [K in keyof UpdateApiKeyOptions]: UpdateApiKeyOptions[K] } = {}
    if (values.name !== undefined) changes.name = values.name
    if (values.description !== undefined) changes.description = values.description
    if (values.scope !== undefined) changes.scopes = parseScopeOptions(values.scope, path)
    const expiresAt = parseExpiryOptions(values, path)
    if (expiresAt !== undefined) changes.expiresAt = expiresAt
    const rateLimits = parseRateLimitOptions(values, path)
    if (rateLimits !== undefined) changes.rateLimits = rateLimits
    Object.assign(changes, parseCreditOptions(values, path))
    if (Object.keys(changes).length === 0 && !hasMetadataEdits(edits)) {
      throw new UsageError(
        'Give at least one change: --name, --description, --scope, an expiry, --meta, --unset-meta, a rate limit or credits.',
        path,
      )
    }
    // The metadata given alone: whether it still fits once merged is known only from the store.
    const metadata = Object.fromEntries(edits.set)
    await checkArguments(path, (manager) => manager.updateApiKey(id, { ...changes, metadata }))
    const key = await withKeyManager(databaseUrl, io, async (manager) => {
      // Metadata edits merge into what the key holds now; the rest replaces fields whole.
      if (hasMetadataEdits(edits)) changes.metadata = applyMetadataEdits((await manager.getApiKey(id)).metadata, edits)
      return manager.updateApiKey(id, changes)
    })
    io.stdout.write(`${key.id} updated\n`)
  },
})
