import { resolve } from 'node:path'
import { hashSecret, type ImportApiKeyOptions } from '@latchkey/verifier/manage'
import { checkArguments } from '../../argument-check.js'
import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import { formatJson } from '../../format.js'
import { parseExpiryOptions, parseMetadataOptions, parseScopeOptions } from '../../key-field-options.js'
import { readApiKeyPropertiesFile } from '../../properties-file.js'
import { readStdinLine } from '../../stdin-line.js'
import { UsageError } from '../../usage-error.js'
import { withKeyManager } from '../../with-key-manager.js'
import { newKeyJson } from './key-output.js'

const path = 'latchkey keys import'

/** `latchkey keys import` */
export const importKey = defineCommand({
  path,
  summary: 'Import a key issued elsewhere (Stormpath…) with its id and secret',
  usage: `Usage: latchkey keys import --account ACCOUNT_ID (--from FILE | --id KEY_ID (--secret-stdin | --secret-hash HASH))
         [--name NAME] [--description TEXT] [--scope "SCOPE ..."] [--expires-in DURATION | --expires-at ISO8601]
         [--meta KEY=VALUE]... [--json]

Stores a key issued by another system, so that its users keep their id and secret, and prints its
id. Only a hash of the secret is stored; the secret is never printed, nor put in an error.

The key comes from one of:
  --from FILE           An apiKey.properties file (apiKey.id and apiKey.secret), read as the
                        Latchkey and Stormpath clients read it
  --id KEY_ID --secret-stdin
                        The id, and the secret as one line on standard input, as in
                        latchkey keys import --account A --id K --secret-stdin < secret.txt
  --id KEY_ID --secret-hash HASH
                        The id, and the secret's stored form: sha256: and 43 base64url characters

Ids are printable ASCII without a colon, up to 256 characters; secrets printable ASCII, up to 256.

Options:
  --account ACCOUNT_ID      The enabled account that owns the key (required)
  --name NAME               A display name, up to 100 characters on one line
  --description TEXT        A description, up to 1000 characters on one line
  --scope "SCOPE ..."       Space-separated scopes the key may be granted; may be repeated
  --expires-in DURATION     Expire the key after 90s, 15m, 24h, 30d...; default: never
  --expires-at ISO8601      Expire the key at 2030-01-31 (midnight UTC), 2030-01-31T09:00:00Z...
  --meta KEY=VALUE          Metadata (the VALUE is kept as a string); may be repeated
  --json                    Print the imported key as "keys show --json" does; never its secret
${COMMON_OPTIONS_HELP}
`,
  options: {
    account: { type: 'string' },
    from: { type: 'string' },
    id: { type: 'string' },
    'secret-stdin': { type: 'boolean' },
    'secret-hash': { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    scope: { type: 'string', multiple: true },
    'expires-in': { type: 'string' },
    'expires-at': { type: 'string' },
    meta: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const { account: accountId, from, id, name, description } = values
    const secretHash = values['secret-hash']
    const secretStdin = values['secret-stdin'] ?? false
    if (accountId === undefined) throw new UsageError('--account is required.', path)
    if (from !== undefined) {
      const also = (['id', 'secret-stdin', 'secret-hash'] as const).filter((flag) => values[flag] !== undefined)
      if (also.length > 0)
        throw new UsageError(`--from reads the id and secret; it excludes --${also.join(' and --')}.`, path)
    } else {
      if (id === undefined)
        throw new UsageError('Give --from FILE, or --id with --secret-stdin or --secret-hash.', path)
      if (secretStdin === (secretHash !== undefined)) {
        throw new UsageError('--id takes exactly one of --secret-stdin and --secret-hash.', path)
      }
    }
    const fields = {
      scopes: parseScopeOptions(values.scope ?? [], path),
      name,
      description,
      metadata: Object.fromEntries(parseMetadataOptions(values.meta ?? [], [], path).set),
      expiresAt: parseExpiryOptions(values, path),
    }
    // The secret is read before the store is opened, so a mistake costs no database work.
    const credentials: Pick<ImportApiKeyOptions, 'id' | 'secret' | 'secretHash'> =
      from !== undefined
        ? readApiKeyPropertiesFile(resolve(io.cwd, from))
        : secretHash !== undefined
          ? { id: id ?? '', secretHash }
          : { id: id ?? '', secret: await readStdinLine(io.stdin, '--secret-stdin', path) }
    // The id and secret of a --from file are the file's to answer for (exit code 1, as for a file
    // that does not parse), so only what the command line gave is checked here.
    const given = from === undefined ? credentials : { id: 'any', secretHash: hashSecret('any') }
    await checkArguments(path, (manager) => manager.importApiKey({ accountId, ...given, ...fields }))
    const key = await withKeyManager(databaseUrl, io, (manager) =>
      manager.importApiKey({ accountId, ...credentials, ...fields }),
    )
    io.stdout.write(values.json ? formatJson(newKeyJson(key, false, new Date())) : `${key.id}\n`)
  },
})
