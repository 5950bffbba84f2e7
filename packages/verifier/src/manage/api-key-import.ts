import {
  API_KEY_SECRET_PREFIX,
  hashSecret,
  isImportableKeyId,
  isIssuedSecretShape,
  isSecretHash,
  isWellFormedCredential,
  MAX_CREDENTIAL_LENGTH,
} from '../basic/api-key.js'
import { LatchkeyError } from '../errors.js'
import type { ApiKeyRecord } from '../store/key-store.js'
import { type ApiKeyInfo, toApiKeyInfo } from './api-key-info.js'
import { type ApiKeyFieldOptions, checkKeyFields } from './api-keys.js'
import { type ManagerContext, requireEnabledAccount } from './manager-context.js'
import { quoteId } from './quote-id.js'

/**
 * Options of {@link KeyManager.importApiKey}: a key issued elsewhere (Stormpath, another system),
 * kept with its id and secret so that its users change nothing. Give exactly one of `secret` and
 * `secretHash`.
 */
export interface ImportApiKeyOptions extends ApiKeyFieldOptions {
  /** The account that owns the key; it must exist and be enabled. */
  readonly accountId: string
  /**
   * The key's id, as its users present it: printable ASCII without a colon (RFC 7617 §2), no
   * leading or trailing space, at most 256 characters, not starting with `lksecret_`. It must not
   * be the id of a key in the store.
   */
  readonly id: string
  /**
   * The key's secret: printable ASCII, 1 to 256 characters; one with Latchkey's `lksecret_` prefix
   * must be one Latchkey issued. Only its hash is stored; it never appears in a message.
   */
  readonly secret?: string | undefined
  /** The stored form of the secret (`sha256:` and 43 base64url characters), as `hashSecret` writes it. */
  readonly secretHash?: string | undefined
}

/** Stores a key issued elsewhere, so that its id and secret keep working; returns it without its hash. */
export async function importApiKey(context: ManagerContext, options: ImportApiKeyOptions): Promise<ApiKeyInfo> {
  const { id } = options
  if (typeof id !== 'string' || !isImportableKeyId(id) || id.startsWith(API_KEY_SECRET_PREFIX)) {
    // The id is not echoed: a secret given as the id by mistake must not reach a log.
    throw invalid(
      `The id given cannot be imported: use 1 to ${MAX_CREDENTIAL_LENGTH} printable ASCII characters, without a colon, leading or trailing spaces, or the ${API_KEY_SECRET_PREFIX} prefix.`,
    )
  }
  const secretHash = importedSecretHash(options)
  const now = context.now()
  const fields = checkKeyFields(options, now)
  const account = await requireEnabledAccount(context, options.accountId)
  if (await context.store.getApiKey(id)) throw duplicate(id)
  const key: ApiKeyRecord = {
    id,
    accountId: account.id,
    secretHash,
    status: 'enabled',
    createdAt: now,
    ...fields,
    replaces: null,
    replacedBy: null,
  }
  try {
    await context.store.insertApiKey(key)
  } catch (error) {
    // Stores throw their own error for a duplicate; another writer may have imported the id meanwhile.
    if (await context.store.getApiKey(id)) throw duplicate(id, error)
    throw error
  }
  return toApiKeyInfo(key, now)
}

function importedSecretHash({ secret, secretHash }: ImportApiKeyOptions): string {
  if ((secret === undefined) === (secretHash === undefined)) {
    throw invalid('Give exactly one of secret and secretHash.')
  }
  if (secret !== undefined) {
    // Neither message says anything about the secret but its rules.
    if (typeof secret !== 'string' || !isWellFormedCredential(secret)) {
      throw invalid(`A secret must have 1 to ${MAX_CREDENTIAL_LENGTH} printable ASCII characters.`)
    }
    if (!isIssuedSecretShape(secret)) {
      throw invalid(
        `The secret starts with ${API_KEY_SECRET_PREFIX} but is not one Latchkey issued (its length or checksum is wrong); check it was copied whole.`,
      )
    }
    return hashSecret(secret)
  }
  if (typeof secretHash !== 'string' || !isSecretHash(secretHash)) {
    throw invalid('secretHash must be "sha256:" followed by 43 base64url characters, as hashSecret writes it.')
  }
  return secretHash
}

function duplicate(id: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError(
    'ERR_INVALID_ARGUMENT',
    `An API key with the id ${quoteId(id)} exists already; keys are imported once (update or rotate it instead).`,
    cause === undefined ? {} : { cause },
  )
}

function invalid(message: string): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_ARGUMENT', message)
}
