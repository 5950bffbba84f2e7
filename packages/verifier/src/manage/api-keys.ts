import { generateApiKeyId, generateApiKeySecret, hashSecret } from '../basic/api-key.js'
import { LatchkeyError } from '../errors.js'
import type { ApiKeyChanges, ApiKeyRecord, ApiKeyStatus, Metadata } from '../store/key-store.js'
import { creditsWithRefill } from '../usage-limits/credit-refill-change.js'
import type { CreditRefill } from '../usage-limits/credits.js'
import type { RateLimit } from '../usage-limits/rate-limit.js'
import { type ApiKeyInfo, type CreatedApiKey, toApiKeyInfo } from './api-key-info.js'
import { apiKeyState } from './api-key-state.js'
import { changedKeyCredits, checkCreditOptions, newKeyCredits, refillChange } from './credit-settings.js'
import { checkExpiresAt, checkKeyDescription, checkKeyName, checkMetadata, checkScopes } from './field-rules.js'
import { checkRateLimits } from './limit-rules.js'
import { assertCanSpendCredits, assertKeptLimits, unkeptLimits } from './limit-support.js'
import {
  apiKeyNotFound,
  apiKeyRevoked,
  type ManagerContext,
  requireApiKey,
  requireEnabledAccount,
} from './manager-context.js'
import { quoteId } from './quote-id.js'

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
  /**
   * The key's own rate limits (its account's apply on top): at most 8 (`MAX_RATE_LIMITS`), each a
   * count from 1 to 1,000,000,000 per a window of 1 s to 31 days, no two with the same window.
   * Default: none.
   */
  readonly rateLimits?: readonly RateLimit[] | undefined
  /**
   * How many credits the key starts with, a whole number from 0 to 1,000,000,000,000
   * (`MAX_CREDITS`): each request spends its route's cost. Default: the refill's amount when a
   * `refill` is given, else `null`, the key is not metered.
   */
  readonly credits?: number | null | undefined
  /**
   * Sets the key's credits to `amount` at every 00:00 UTC (`day`) or 00:00 UTC on every 1st of a
   * month (`month`), from the next such instant. Default: none (`null`), the credits are never refilled.
   */
  readonly refill?: CreditRefill | null | undefined
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
  /**
   * The new rate limits, replacing all the old ones, by the rules of
   * {@link CreateApiKeyOptions.rateLimits}; `[]` removes them. Default: unchanged.
   */
  readonly rateLimits?: readonly RateLimit[] | undefined
  /**
   * Sets how many credits are left (for a key made by rotation: the balance it shares with the key
   * it replaced), keeping the refill, if any; `null` stops metering the key (and removes its
   * refill). On a key not metered yet, starts metering it without a refill unless `refill` is given.
   * Default: unchanged.
   */
  readonly credits?: number | null | undefined
  /**
   * Sets the refill, by the rules of {@link CreateApiKeyOptions.refill}, keeping what is left: the
   * credits as they are now, or, on a key not metered yet, the refill's amount; `null` removes the
   * refill, keeping what is left. With `credits`, sets both. What is left is kept by the store, in
   * the same step as its write (`ApiKeyChanges.creditRefill`), so no credit spent meanwhile is handed
   * back; on a store without that field, it is a read then a write, and credits spent in between (the
   * few milliseconds the update takes) are handed back. Default: unchanged.
   */
  readonly refill?: CreditRefill | null | undefined
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

/**
 * Creates a key for an enabled account, with a fresh id and secret. A key whose limits the store did
 * not keep is revoked at once, its secret never handed out, and `ERR_INVALID_ARGUMENT` says so.
 */
export async function createApiKey(context: ManagerContext, options: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const now = context.now()
  const fields = checkKeyFields(options, now)
  const rateLimits = options.rateLimits === undefined ? [] : checkRateLimits(options.rateLimits, 'key')
  const credits = newKeyCredits(checkCreditOptions(options), now)
  const account = await requireEnabledAccount(context, options.accountId)
  if (credits !== null) assertCanSpendCredits(context.store)
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
    ...(rateLimits.length > 0 ? { rateLimits } : {}),
    ...(credits !== null ? { credits } : {}),
  }
  await context.store.insertApiKey(key)
  if (rateLimits.length > 0 || credits !== null) await assertKeyKeptLimits(context, key)
  return { ...toApiKeyInfo(key, now), secret }
}

/** Revokes a key just inserted whose limits the store dropped, so no uncapped key is left usable. */
async function assertKeyKeptLimits(context: ManagerContext, key: ApiKeyRecord): Promise<void> {
  const stored = await context.store.getApiKey(key.id)
  const message = stored === undefined ? undefined : unkeptLimits(stored, key)
  if (message === undefined) return
  await context.store.setApiKeyStatus(key.id, 'revoked')
  throw new LatchkeyError('ERR_INVALID_ARGUMENT', `${message} API key ${quoteId(key.id)} was revoked unused.`)
}

/**
 * Changes a key's name, description, scopes, metadata, expiry, rate limits or credits. Every field
 * is checked before anything is read or written; a revoked key refuses any change (`ERR_KEY_REVOKED`).
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
  if (options.rateLimits !== undefined) changes.rateLimits = checkRateLimits(options.rateLimits, 'key')
  const creditOptions = checkCreditOptions(options)
  const key = await requireApiKey(context, id)
  if (key.status === 'revoked') throw apiKeyRevoked(key.id)
  const now = context.now()
  const { credits: newCredits, refill } = creditOptions
  if (newCredits === undefined && refill !== undefined) {
    // A refill alone keeps what is left: the store applies it to the balance as it is when it writes.
    if (refill !== null) assertCanSpendCredits(context.store)
    if (refill !== null || key.credits != null) {
      changes.creditRefill = refillChange(refill, now)
    }
  } else {
    const credits = changedKeyCredits(creditOptions, key.credits, now)
    if (credits !== undefined) changes.credits = credits
    if (credits != null) assertCanSpendCredits(context.store)
  }
  if (Object.keys(changes).length === 0) return toApiKeyInfo(key, now)
  let updated = await context.store.updateApiKey(id, changes)
  if (!updated) throw apiKeyNotFound(id)
  if (changes.creditRefill && !sameRefill(updated.credits?.refill ?? null, changes.creditRefill.refill)) {
    // A store written before `creditRefill` left the credits as they were: set them from its answer.
    const credits = creditsWithRefill(updated.credits, changes.creditRefill)
    updated = credits === undefined ? updated : await context.store.updateApiKey(id, { credits })
    if (!updated) throw apiKeyNotFound(id)
    assertKeptLimits(updated, { credits })
  }
  assertKeptLimits(updated, changes)
  return toApiKeyInfo(updated, now)
}

function sameRefill(stored: CreditRefill | null, wanted: CreditRefill | null): boolean {
  return stored === null || wanted === null
    ? stored === wanted
    : stored.amount === wanted.amount && stored.interval === wanted.interval
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
  const now = context.now()
  if (expiringWithin === undefined) return keys.map((key) => toApiKeyInfo(key, now))
  const until = now.getTime() + expiringWithin
  return keys
    .filter((key) => apiKeyState(key, now) === 'enabled' && key.expiresAt !== null && key.expiresAt.getTime() <= until)
    .map((key) => toApiKeyInfo(key, now))
}

/** The key `id`, without its hash; `ERR_NOT_FOUND` when there is none. */
export async function getApiKey(context: ManagerContext, id: string): Promise<ApiKeyInfo> {
  return toApiKeyInfo(await requireApiKey(context, id), context.now())
}

/** Sets a key's status; a revoked key stays revoked, and saying otherwise is `ERR_KEY_REVOKED`. */
export async function setApiKeyStatus(context: ManagerContext, id: string, status: ApiKeyStatus): Promise<ApiKeyInfo> {
  const key = await context.store.setApiKeyStatus(id, status)
  if (!key) throw apiKeyNotFound(id)
  if (key.status !== status) throw apiKeyRevoked(key.id)
  return toApiKeyInfo(key, context.now())
}
