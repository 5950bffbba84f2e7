import { resolve } from 'node:path'
import type { CreatedApiKey, KeyManager } from '@latchkey/verifier/manage'
import type { CliIo } from '../../cli-io.js'
import { formatJson } from '../../format.js'
import { formatApiKeyProperties, reserveApiKeyPropertiesFile } from '../../properties-file.js'
import { newKeyJson } from './key-output.js'

/** Where a new key's secret goes: `--out FILE [--force]`, or standard output when `out` is undefined. */
export interface NewKeyOutput {
  readonly out: string | undefined
  readonly force: boolean
  /** `--json`: print the key as a JSON object, its `secret` in it when there is no `out`. */
  readonly json: boolean
}

/**
 * Makes a key with `make` and hands its secret out, the one time it exists: to FILE in the
 * `apiKey.properties` format (mode 0600), printing only the key id, or, without `--out`, as the
 * `apiKey.properties` text on stdout. With `json`, a JSON object stands for the id or the text. The
 * file is opened before the key is made: a key whose secret cannot be saved is a key nobody can
 * use. Should writing still fail, the key is revoked.
 */
export async function handOutNewKey(
  manager: KeyManager,
  io: CliIo,
  { out, force, json }: NewKeyOutput,
  make: () => Promise<CreatedApiKey>,
): Promise<CreatedApiKey> {
  if (out === undefined) {
    const key = await make()
    io.stdout.write(json ? formatJson(newKeyJson(key, true, new Date())) : formatApiKeyProperties(key))
    return key
  }
  const file = reserveApiKeyPropertiesFile(resolve(io.cwd, out), { force })
  const key = await make().catch((error: unknown) => {
    file.abandon()
    throw error
  })
  try {
    file.write(key)
  } catch (error) {
    await revokeUnsaved(manager, key, error)
  }
  io.stdout.write(json ? formatJson(newKeyJson(key, false, new Date())) : `${key.id}\n`)
  return key
}

/** A key whose secret was lost is revoked, so it cannot linger unused but enabled. */
async function revokeUnsaved(manager: KeyManager, key: CreatedApiKey, error: unknown): Promise<never> {
  const reason = error instanceof Error ? error.message : String(error)
  // A rotation's old key is already replaced: it cannot be rotated again, only replaced by a new key.
  const replaced =
    key.replaces === null ? '' : ` ${key.replaces} still works until its expiry; create a new key to replace it.`
  try {
    await manager.revokeApiKey(key.id)
  } catch {
    throw new Error(`${reason} API key ${key.id} was created but its secret was not saved: revoke it.${replaced}`, {
      cause: error,
    })
  }
  throw new Error(`${reason} API key ${key.id} was revoked, since its secret could not be saved.${replaced}`, {
    cause: error,
  })
}
