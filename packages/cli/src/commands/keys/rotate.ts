import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import { parseDuration } from '../../duration.js'
import { formatAge, formatDate } from '../../format.js'
import { UsageError } from '../../usage-error.js'
import { withKeyManager } from '../../with-key-manager.js'
import { handOutNewKey } from './new-key-output.js'

const path = 'latchkey keys rotate'

/** `latchkey keys rotate` */
export const rotate = defineCommand({
  path,
  summary: 'Replace a key by a new one; the old one works on for an overlap',
  usage: `Usage: latchkey keys rotate KEY_ID [--overlap DURATION] [--out FILE [--force]] [--json]

Creates a new key with the old one's account, name, description, scopes and metadata, and sets the
old key to expire after the overlap (or sooner, if it expired sooner anyway), so that its users can
switch to the new key in the meantime. One line on stderr says when the old key stops working.

With --out, writes the new key to FILE in the apiKey.properties format (mode 0600) and prints only
its id; without, prints the apiKey.properties text. Only an enabled, unexpired key that was never
rotated can be rotated: a rotated key names the key to rotate instead.

With --json, prints the new key as "keys show --json" does instead ("replaces" names the old one),
and, without --out, its secret in a "secret" field.

Options:
  --overlap DURATION   How long the old key keeps working: 90s, 15m, 24h, 30d..., at most 365d;
                       0s stops it now (a leaked key); default: 24h
  --out FILE           Write the new key to FILE instead of printing its secret
  --force              Replace FILE if it exists
  --json               Print the new key as a JSON object
${COMMON_OPTIONS_HELP}
`,
  options: {
    overlap: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], values, databaseUrl, io }) {
    const { out, force = false, json = false } = values
    if (force && out === undefined) throw new UsageError('--force applies only with --out.', path)
    const overlap =
      values.overlap === undefined
        ? undefined
        : parseDuration(values.overlap, '--overlap', { command: path, allowZero: true, maxDays: 365 })
    let previous: { readonly id: string; readonly expiresAt: Date | null } | undefined
    const key = await withKeyManager(databaseUrl, io, (manager) =>
      handOutNewKey(manager, io, { out, force, json }, async () => {
        const rotation = await manager.rotateApiKey(id, { overlap })
        previous = rotation.previous
        return rotation.key
      }),
    )
    if (previous?.expiresAt) {
      const left = previous.expiresAt.getTime() - Date.now()
      // Rounded up to the second: the few ms the rotation took would turn 24h into "23h 59m".
      const when =
        left > 0 ? `at ${formatDate(previous.expiresAt)} (in ${formatAge(Math.ceil(left / 1000) * 1000)})` : 'now'
      io.stderr.write(`latchkey: ${previous.id} stops working ${when}; ${key.id} replaces it.\n`)
    }
  },
})
