import { generateApiKeyId, generateApiKeySecret, hashSecret } from '../basic/api-key.js'
import { LatchkeyError } from '../errors.js'
import type { ApiKeyChanges, ApiKeyRecord, ApiKeyStatus, Metadata } from '../store/key-store.js'
import { type ApiKeyInfo, type CreatedApiKey, toApiKeyInfo } from './api-key-info.js'
import { apiKeyState } from './api-key-state.js'
import { checkExpiresAt, checkKeyDescription, checkKeyName, checkMetadata, checkScopes } from './field-rules.js'
import {
  apiKeyNotFound,
  apiKeyRevoked,
  type ManagerContext,
  requireApiKey,
  requireEnabledAccount,
} from './manager-context.js'

/** What a key carries besides its id and secret, as {@link KeyManager.createApiKey} and `importApiKey` take it. */
export interface ApiKeyFieldOptions {
  /** The scopes the key may be granted, as RFC 6749 scope tokens; duplicates are dropped. Default: none. */
  readonly scopes?: readonly string[] | undefined
  /** A display name, trimmed, at most 100 characters (`MAX_KEY_NAME_LENGTH`), one line. Default: none (`null`). */
  readonly name?: string | null | undefined
  /** A description, trimmed, at most 1000 characters (`MAX_KEY_DESCRIPTION_LENGTH`), one line. Default: none (`null`). */
  readonly description?: string | null | undefined
  /**
   * What the API provider keeps beside the key, carried in the principal of every request it
   * authenticates: a JSON object of at most 4096 bytes as JSON (`MAX_METADATA_BYTES`), nested at
   * most 16 levels. Default: `{}`.
   */
  readonly metadata?: Metadata | undefined
  /** When the key stops working; it must be in the future. Default: never (`null`). */
  readonly expiresAt?: Date | null | undefined
}

/** Options of {@link KeyManager.createApiKey}. */
export interface CreateApiKeyOptions extends ApiKeyFieldOptions {
  /** The account that owns the key; it must exist and be enabled. */
  readonly accountId: string
}

/** Options of {@link KeyManager.updateApiKey}: a field left out (or `undefined`) keeps its value. */
export interface UpdateApiKeyOptions {
  /** A new name, by the rules of {@link ApiKeyFieldOptions.name}; `null` or `''` removes it. Default: unchanged. */
  readonly name?: string | null | undefined
  /** A new description; `null` or `''` removes it. Default: unchanged. */
  readonly description?: string | null | undefined
  /** The new set of scopes, replacing the old one; tokens issued before keep theirs until they expire. Default: unchanged. */
  readonly scopes?: readonly string[] | undefined
  /** New metadata, replacing the whole object (`{}` removes it all). Default: unchanged. */
  readonly metadata?: Metadata | undefined
  /** A new expiry, in the future, or `null` for none. Default: unchanged. */
  readonly expiresAt?: Date | null | undefined
}

/** Options of {@link KeyManager.listApiKeys}. */
export interface ListApiKeysOptions {
  /** Only the keys of this account. Default: every account's. */
  readonly accountId?: string | undefined
  /**
   * Only keys that still work (enabled, not expired) and expire within this many milliseconds from
   * now: `expiresAt` in `(now, now + expiringWithin]`. Default: no such filter.
   */
  readonly expiringWithin?: number | undefined
}

/** The fields of a new key (created, rotated to or imported), checked. */
export type CheckedKeyFields = Pick<ApiKeyRecord, 'scopes' | 'name' | 'description' | 'metadata' | 'expiresAt'>

/** Checks the fields of a new key; `now` is the instant `expiresAt` must be after. */
export function checkKeyFields(options: ApiKeyFieldOptions, now: Date): CheckedKeyFields {
  return {
    scopes: checkScopes(options.scopes ?? []),
    name: checkKeyName(options.name ?? null),
    description: checkKeyDescription(options.description ?? null),
    metadata: options.metadata === undefined ? {} : checkMetadata(options.metadata),
    expiresAt: options.expiresAt == null ? null : checkExpiresAt(options.expiresAt, now),
  }
}

/** Creates a key for an enabled account, with a fresh id and secret. */
export async function createApiKey(context: ManagerContext, options: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const now = context.now()
  const fields = checkKeyFields(options, now)
  const account = await requireEnabledAccount(context, options.accountId)
  const secret = generateApiKeySecret()
  const key: ApiKeyRecord = {
    id: generateApiKeyId(),
    accountId: account.id,
    secretHash: hashSecret(secret),
    status: 'enabled',
    createdAt: now,
    ...fields,
    replaces: null,
    replacedBy: null,
  }
  await context.store.insertApiKey(key)
  return { ...toApiKeyInfo(key), secret }
}

/**
 * Changes a key's name, description, scopes, metadata or expiry. Every field is checked before
 * anything is written; a revoked key refuses any change (`ERR_KEY_REVOKED`).
 */
export async function updateApiKey(
  context: ManagerContext,
  id: string,
  options: UpdateApiKeyOptions,
): Promise<ApiKeyInfo> {
  const changes: { -readonly [K in keyof ApiKeyChanges]: ApiKeyChanges[K] } = {}
  if (options.name !== undefined) changes.name = checkKeyName(options.name)
  if (options.description !== undefined) changes.description = checkKeyDescription(options.description)
  if (options.scopes !== undefined) changes.scopes = checkScopes(options.scopes)
  if (options.metadata !== undefined) changes.metadata = checkMetadata(options.metadata)
  if (options.expiresAt !== undefined) {
    changes.expiresAt = options.expiresAt === null ? null : checkExpiresAt(options.expiresAt, context.now())
  }
  const key = await requireApiKey(context, id)
  if (key.status === 'revoked') throw apiKeyRevoked(key.id)
  if (Object.keys(changes).length === 0) return toApiKeyInfo(key)
  const updated = await context.store.updateApiKey(id, changes)
  if (!updated) throw apiKeyNotFound(id)
  return toApiKeyInfo(updated)
}

/** Keys, oldest first, optionally of one account and about to expire. */
export async function listApiKeys(context: ManagerContext, options: ListApiKeysOptions = {}): Promise<ApiKeyInfo[]> {
  const { accountId, expiringWithin } = options
  if (expiringWithin !== undefined && !(Number.isFinite(expiringWithin) && expiringWithin > 0)) {
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      `expiringWithin must be a positive number of milliseconds, not ${String(expiringWithin)}.`,
    )
  }
  const keys = await context.store.listApiKeys(accountId === undefined ? {} : { accountId })
  if (expiringWithin === undefined) return keys.map(toApiKeyInfo)
  const now = context.now()
  const until = now.getTime() + expiringWithin
  return keys
    .filter((key) => apiKeyState(key, now) === 'enabled' && key.expiresAt !== null && key.expiresAt.getTime() <= until)
    .map(toApiKeyInfo)
}

/** The key `id`, without its hash; `ERR_NOT_FOUND` when there is none. */
export async function getApiKey(context: ManagerContext, id: string): Promise<ApiKeyInfo> {
  return toApiKeyInfo(await requireApiKey(context, id))
}

/** Sets a key's status; a revoked key stays revoked, and saying otherwise is `ERR_KEY_REVOKED`. */
export async function setApiKeyStatus(context: ManagerContext, id: string, status: ApiKeyStatus): Promise<ApiKeyInfo> {
  const key = await context.store.setApiKeyStatus(id, status)
  if (!key) throw apiKeyNotFound(id)
  if (key.status !== status) throw apiKeyRevoked(key.id)
  return toApiKeyInfo(key)
}
