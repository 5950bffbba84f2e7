import { checkArguments } from '../../argument-check.js'
import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import { parseExpiryOptions, parseMetadataOptions, parseScopeOptions } from '../../key-field-options.js'
import { UsageError } from '../../usage-error.js'
import {
  creditHelp,
  creditOptions,
  parseCreditOptions,
  parseRateLimitOptions,
  rateLimitHelp,
  rateLimitOptions,
} from '../../usage-limit-options.js'
import { withKeyManager } from '../../with-key-manager.js'
import { handOutNewKey } from './new-key-output.js'

const path = 'latchkey keys create'

/** `latchkey keys create` */
export const create = defineCommand({
  path,
  summary: 'Create an API key and save or print its secret',
  usage: `Usage: latchkey keys create --account ACCOUNT_ID [--name NAME] [--description TEXT] [--scope "SCOPE ..."]
         [--expires-in DURATION | --expires-at ISO8601] [--meta KEY=VALUE]...
         [--rate-limit COUNT/WINDOW]... [--credits N] [--refill N/day|N/month] [--out FILE [--force]] [--json]

Creates an API key. Its secret is shown this once: only a hash of it is stored.

With --out, writes the key to FILE in the apiKey.properties format, readable by its owner only
(mode 0600), and prints only the key id. An existing FILE is kept, and no key created, unless
--force is given. Without --out, prints the apiKey.properties text.

With --json, prints the key as "keys show --json" does instead, and, without --out, its secret in
a "secret" field: the one place it then is.

Options:
  --account ACCOUNT_ID      The enabled account that owns the key (required)
  --name NAME               A display name, up to 100 characters on one line
  --description TEXT        A description, up to 1000 characters on one line
  --scope "SCOPE ..."       Space-separated scopes the key may be granted (RFC 6749 §3.3);
                            may be repeated; default: none
  --expires-in DURATION     Expire the key after 90s, 15m, 24h, 30d...; default: never
  --expires-at ISO8601      Expire the key at 2030-01-31 (midnight UTC), 2030-01-31T09:00:00Z...
  --meta KEY=VALUE          Metadata, carried in every request's principal; the VALUE is kept as a
                            string; may be repeated; at most 4096 bytes as JSON in all
${rateLimitHelp(false)}
${creditHelp(false)}
  --out FILE                Write the key to FILE instead of printing its secret
  --force                   Replace FILE if it exists
  --json                    Print the new key as a JSON object
${COMMON_OPTIONS_HELP}
`,
  options: {
    account: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    scope: { type: 'string', multiple: true },
    'expires-in': { type: 'string' },
    'expires-at': { type: 'string' },
    meta: { type: 'string', multiple: true },
    ...rateLimitOptions,
    ...creditOptions,
    out: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const { account: accountId, out, force = false, json = false, name, description } = values
    if (accountId === undefined) throw new UsageError('--account is required.', path)
    if (force && out === undefined) throw new UsageError('--force applies only with --out.', path)
    const scopes = parseScopeOptions(values.scope ?? [], path)
    const expiresAt = parseExpiryOptions(values, path)
    const metadata = Object.fromEntries(parseMetadataOptions(values.meta ?? [], [], path).set)
    const rateLimits = parseRateLimitOptions(values, path)
    const options = {
      accountId,
      scopes,
      name,
      description,
      metadata,
      expiresAt,
      rateLimits,
      ...parseCreditOptions(values, path),
    }
    await checkArguments(path, (manager) => manager.createApiKey(options))
    await withKeyManager(databaseUrl, io, (manager) =>
      handOutNewKey(manager, io, { out, force, json }, () => manager.createApiKey(options)),
    )
  },
})
