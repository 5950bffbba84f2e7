import { COMMON_OPTIONS_HELP, defineCommand } from '../../command.js'
import { withKeyManager } from '../../with-key-manager.js'

/** `latchkey keys disable` */
export const disable = defineCommand({
  path: 'latchkey keys disable',
  summary: 'Shut out a key and its tokens until enabled',
  usage: `Usage: latchkey keys disable KEY_ID

Disables an API key: it and every access token issued to it stop working until "latchkey keys enable".

Options:
${COMMON_OPTIONS_HELP}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    const key = await withKeyManager(databaseUrl, io, (manager) => manager.disableApiKey(id))
    io.stdout.write(`${key.id} disabled\n`)
  },
})

/** `latchkey keys enable` */
export const enable = defineCommand({
  path: 'latchkey keys enable',
  summary: 'Let a disabled key work again',
  usage: `Usage: latchkey keys enable KEY_ID

Enables a disabled API key again. A revoked key cannot be enabled: create a new one.
An expired key stays expired: move its expiry with "latchkey keys update KEY_ID --expires-in ...".

Options:
${COMMON_OPTIONS_HELP}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    const key = await withKeyManager(databaseUrl, io, (manager) => manager.enableApiKey(id))
    io.stdout.write(`${key.id} enabled\n`)
  },
})

/** `latchkey keys revoke` */
export const revoke = defineCommand({
  path: 'latchkey keys revoke',
  summary: 'Shut out a key and its tokens for good',
  usage: `Usage: latchkey keys revoke KEY_ID

Revokes an API key: it and every access token issued to it stop working, for good.

Options:
${COMMON_OPTIONS_HELP}
`,
  options: {},
  positionals: ['KEY_ID'],
  async run({ positionals: [id = ''], databaseUrl, io }) {
    const key = await withKeyManager(databaseUrl, io, (manager) => manager.revokeApiKey(id))
    io.stdout.write(`${key.id} revoked\n`)
  },
})
