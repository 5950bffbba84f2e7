import type { KeyStore } from '@latchkey/verifier'
import { listSigningKeys, resealSigningKeys, rotateSigningKey, type SigningKeyInfo } from '@latchkey/verifier/manage'
import { COMMON_OPTIONS_HELP, type CommandGroup, defineCommand } from '../command.js'
import { parseDatabaseUrl } from '../database-url.js'
import { formatAge, formatDate, formatJson, formatTable } from '../format.js'
import { keyEncryptionKeyFromEnvironment } from '../key-encryption-key.js'
import { UsageError } from '../usage-error.js'
import { withKeyStore } from '../with-key-store.js'

const rotate = defineCommand({
  path: 'latchkey signing-keys rotate',
  summary: 'Add a new signing key; retire the current one without refusing a token',
  usage: `Usage: latchkey signing-keys rotate [--activate-in SECONDS] [--token-lifetime SECONDS] [--algorithm ALG]
         [--refresh-interval SECONDS] [--json]

Adds a signing key that every instance publishes in its JWKS at once and signs with only after
--activate-in seconds, then sets the keys in use to expire once the last token they can sign has
expired: activation + --token-lifetime + 60 s of clock tolerance. No valid token is ever refused.

Instances sharing a Postgres store hear of the new key at once. With SQLite they re-read signing
keys every signingKeyRefreshInterval (60 s by default), so --activate-in must exceed it: a shorter
one is refused while a key is in use. If your instances re-read sooner (or later), give their
interval with --refresh-interval.

Options:
  --activate-in SECONDS       Delay before the new key signs (default: twice --refresh-interval, 120);
                              at most 2592000 (30 days)
  --token-lifetime SECONDS    The longest access-token lifetime of any instance (default: 3600);
                              at most 86400
  --algorithm ALG             EdDSA or ES256 (default: that of the active key, else EdDSA)
  --refresh-interval SECONDS  The instances' signingKeyRefreshInterval, in seconds (default: 60);
                              at most 86400
  --json                      Print the new and the retired keys as JSON
${COMMON_OPTIONS_HELP}
`,
  options: {
    'activate-in': { type: 'string' },
    'token-lifetime': { type: 'string' },
    algorithm: { type: 'string' },
    'refresh-interval': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const path = 'latchkey signing-keys rotate'
    // rotateSigningKey's bounds (and a day for the refresh interval), checked here to name the flag.
    const refreshInterval = seconds(values['refresh-interval'], '--refresh-interval', path, 86_400) ?? 60
    const activateIn = seconds(values['activate-in'], '--activate-in', path, 30 * 86_400) ?? 2 * refreshInterval
    const tokenLifetime = seconds(values['token-lifetime'], '--token-lifetime', path, 86_400) ?? 3600
    const { algorithm } = values
    if (algorithm !== undefined && algorithm !== 'EdDSA' && algorithm !== 'ES256') {
      throw new UsageError('--algorithm must be EdDSA or ES256.', path)
    }
    // Sealed like the keys the servers generate, when a key-encryption key is configured.
    const keyEncryptionKey = keyEncryptionKeyFromEnvironment(io.env, io.cwd)
    const rotation = await withKeyStore(databaseUrl, io, async (store) => {
      const minimum = await minimumActivationDelay(store, refreshInterval)
      if (activateIn < minimum) {
        const which = parseDatabaseUrl(databaseUrl).kind === 'sqlite' ? 'SQLite' : 'this store'
        throw new UsageError(
          `--activate-in must be at least ${minimum} seconds with ${which}, whose servers re-read signing keys every ${refreshInterval} s; if yours re-read sooner, give their interval with --refresh-interval.`,
          path,
        )
      }
      return rotateSigningKey(store, {
        activationDelay: activateIn * 1000,
        tokenLifetime,
        algorithm,
        ...(keyEncryptionKey ? { keyEncryptionKey } : {}),
      })
    })
    if (values.json) {
      io.stdout.write(formatJson({ added: keyJson(rotation.added), retired: rotation.retired.map(keyJson) }))
      return
    }
    const { added } = rotation
    io.stdout.write(`${added.kid} added (${added.alg}); signs from ${formatDate(added.activatesAt)}\n`)
    for (const key of rotation.retired) {
      io.stdout.write(`${key.kid} retiring; verifies until ${formatDate(key.expiresAt ?? added.activatesAt)}\n`)
    }
  },
})

/**
 * The shortest `--activate-in`, in seconds, that lets every instance load the new key before any
 * signs with it: 0 for a store whose change feed announces it at once (Postgres), else one more than
 * the instances' refresh interval. Also 0 while no key is in use (a new store, or every key
 * expired): no instance signs with an old key then, so there is no switch to keep in step.
 */
async function minimumActivationDelay(store: KeyStore, refreshInterval: number): Promise<number> {
  if (store.watch !== undefined) return 0
  const keys = await listSigningKeys(store)
  return keys.some((key) => key.state !== 'expired') ? refreshInterval + 1 : 0
}

/** A whole number of seconds from an option, at most `max`, or `undefined` when it was not given. */
function seconds(value: string | undefined, name: string, path: string, max: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`${name} takes a whole number of seconds.`, path)
  const number = Number(value)
  if (number > max) throw new UsageError(`${name} takes at most ${max} seconds.`, path)
  return number
}

const list = defineCommand({
  path: 'latchkey signing-keys list',
  summary: 'List signing keys with their state and age; never a private key',
  usage: `Usage: latchkey signing-keys list [--json]

Lists signing keys, oldest first, with their state:
  pending   published in the JWKS, signs from its activation time
  active    signs new tokens
  retiring  no longer signs; verifies the tokens it signed until it expires
  expired   neither signs nor verifies
Private keys are never shown.

Options:
  --json          Print a JSON array (dates as ISO 8601 strings) instead of a table
${COMMON_OPTIONS_HELP}
`,
  options: { json: { type: 'boolean' } },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const keys = await withKeyStore(databaseUrl, io, (store) => listSigningKeys(store))
    const now = Date.now()
    if (values.json) {
      io.stdout.write(formatJson(keys.map(keyJson)))
    } else if (keys.length === 0) {
      io.stdout.write('No signing keys yet: a server creates the first when it issues its first token.\n')
    } else {
      io.stdout.write(
        formatTable(
          ['KID', 'ALG', 'STATE', 'AGE', 'ACTIVATES', 'EXPIRES'],
          keys.map((key) => [
            key.kid,
            key.alg,
            key.state,
            formatAge(now - key.createdAt.getTime()),
            formatDate(key.activatesAt),
            key.expiresAt === null ? '-' : formatDate(key.expiresAt),
          ]),
        ),
      )
    }
  },
})

const reseal = defineCommand({
  path: 'latchkey signing-keys reseal',
  summary: 'Encrypt every signing key with the current key-encryption key',
  usage: `Usage: latchkey signing-keys reseal [--previous-key-file PATH] [--decrypt]

Seals the private half of every signing key with the key-encryption key in
LATCHKEY_KEY_ENCRYPTION_KEY (32 bytes in base64, e.g. from "openssl rand -base64 32"), or in the
file LATCHKEY_KEY_ENCRYPTION_KEY_FILE names. Keys stored plain are sealed; keys sealed with the
previous key-encryption key are opened with it first: --previous-key-file, else
LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEY or LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEY_FILE. When any key does
not open, nothing is written. Restart the servers with the new key afterwards.

Options:
  --previous-key-file PATH  The file holding the previous key-encryption key
  --decrypt                 With no current key-encryption key: store every key as a plain JWK
${COMMON_OPTIONS_HELP}
`,
  options: { 'previous-key-file': { type: 'string' }, decrypt: { type: 'boolean' } },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const path = 'latchkey signing-keys reseal'
    const to = keyEncryptionKeyFromEnvironment(io.env, io.cwd)
    if (!to && !values.decrypt) {
      throw new UsageError('Set LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE) to the new key, or pass --decrypt.', path)
    }
    const previousFile = values['previous-key-file']
    const from =
      previousFile === undefined
        ? keyEncryptionKeyFromEnvironment(io.env, io.cwd, 'previous')
        : keyEncryptionKeyFromEnvironment(
            { LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEY_FILE: previousFile },
            io.cwd,
            'previous',
          )
    const count = await withKeyStore(databaseUrl, io, (store) => resealSigningKeys(store, { to, from }))
    io.stdout.write(`${count} signing key${count === 1 ? '' : 's'} ${to ? 'sealed' : 'stored plain'}\n`)
  },
})

/** Fields listed one by one, so a private key can never slip into the output. */
function keyJson(key: SigningKeyInfo) {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    createdAt: key.createdAt,
    activatesAt: key.activatesAt,
    expiresAt: key.expiresAt,
  }
}

/** `latchkey signing-keys …` */
export const signingKeys: CommandGroup = {
  summary: 'Rotate and list the keys that sign access tokens',
  usage: `Usage: latchkey signing-keys COMMAND [OPTIONS]

Commands:
  rotate [--activate-in SECONDS] [--token-lifetime SECONDS] [--algorithm ALG]
         [--refresh-interval SECONDS] [--json]
                                          ${rotate.summary}
  list [--json]                           ${list.summary}
  reseal [--previous-key-file PATH] [--decrypt]
                                          ${reseal.summary}

Run "latchkey signing-keys COMMAND --help" for a command's options.
`,
  commands: { rotate, list, reseal },
}
