import type { ApiKeyStatus } from '@latchkey/verifier'
import type { KeyManager } from '@latchkey/verifier/manage'
import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import { withKeyManager } from '../../with-key-manager.js'

/** `latchkey keys disable` */
export const disable = defineCommand({
  path: 'latchkey keys disable',
  summary: 'Shut out a key and its tokens until enabled',
  usage: `Usage: latchkey keys disable KEY_ID

Disables an API key: it and every access token issued to it stop working until "latchkey keys enable".
Prints "KEY_ID disabled", or "KEY_ID was already disabled" (exit code 0, nothing written).

Options:
${COMMON_OPTIONS_HELP}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    io.stdout.write(await withKeyManager(databaseUrl, io, (manager) => setStatus(manager, id, 'disabled')))
  },
})

/** `latchkey keys enable` */
export const enable = defineCommand({
  path: 'latchkey keys enable',
  summary: 'Let a disabled key work again',
  usage: `Usage: latchkey keys enable KEY_ID

Enables a disabled API key again. A revoked key cannot be enabled: create a new one.
An expired key stays expired: move its expiry with "latchkey keys update KEY_ID --expires-in ...".
Prints "KEY_ID enabled", or "KEY_ID was already enabled" (exit code 0, nothing written).

Options:
${COMMON_OPTIONS_HELP}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    io.stdout.write(await withKeyManager(databaseUrl, io, (manager) => setStatus(manager, id, 'enabled')))
  },
})

/** `latchkey keys revoke` */
export const revoke = defineCommand({
  path: 'latchkey keys revoke',
  summary: 'Shut out a key and its tokens for good',
  usage: `Usage: latchkey keys revoke KEY_ID

Revokes an API key: it and every access token issued to it stop working, for good.
Prints "KEY_ID revoked", or "KEY_ID was already revoked" (exit code 0, nothing written).

Options:
${COMMON_OPTIONS_HELP}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    io.stdout.write(await withKeyManager(databaseUrl, io, (manager) => setStatus(manager, id, 'revoked')))
  },
})

const change = {
  disabled: (manager: KeyManager, id: string) => manager.disableApiKey(id),
  enabled: (manager: KeyManager, id: string) => manager.enableApiKey(id),
  revoked: (manager: KeyManager, id: string) => manager.revokeApiKey(id),
} as const satisfies Record<ApiKeyStatus, unknown>

/**
 * Gives key `id` the status `status` and says so, or says it already had it: then nothing is
 * written (no change event for the servers), and the command still succeeds, so a script that
 * revokes a list of keys can run again. Anything else, such as enabling a revoked key, is the
 * manager's to refuse.
 */
async function setStatus(manager: KeyManager, id: string, status: ApiKeyStatus): Promise<string> {
  const before = await manager.getApiKey(id)
  if (before.status === status) return `${before.id} was already ${status}\n`
  const key = await change[status](manager, id)
  return `${key.id} ${status}\n`
}
