import { generateApiKeyId, generateApiKeySecret, hashSecret } from '../basic/api-key.js'
import { LatchkeyError } from '../errors.js'
import type { ApiKeyRecord } from '../store/key-store.js'
import { type ApiKeyInfo, type CreatedApiKey, toApiKeyInfo } from './api-key-info.js'
import { apiKeyState } from './api-key-state.js'
import { checkExpiresAt } from './field-rules.js'
import {
  apiKeyNotFound,
  apiKeyRevoked,
  type ManagerContext,
  requireApiKey,
  requireEnabledAccount,
} from './manager-context.js'
import { quoteId } from './quote-id.js'

/** The overlap of {@link RotateApiKeyOptions.overlap} when none is given: 24 hours, in ms. */
export const DEFAULT_ROTATION_OVERLAP = 86_400_000
/** The longest overlap a rotation accepts: 365 days, in ms. Longer, and rotating would hardly retire anything. */
export const MAX_ROTATION_OVERLAP = 365 * 86_400_000

/** Options of {@link KeyManager.rotateApiKey}. */
export interface RotateApiKeyOptions {
  /**
   * How long the old key keeps working beside the new one, in ms, so that its users can switch:
   * it expires this long from now, or when it would have anyway if that is sooner. `0` stops it at
   * once (a leaked key). At most 365 days (`MAX_ROTATION_OVERLAP`). Default: 86,400,000 (24 hours).
   */
  readonly overlap?: number | undefined
  /** When the new key expires; it must be in the future. Default: never (`null`). */
  readonly expiresAt?: Date | null | undefined
}

/** What {@link KeyManager.rotateApiKey} did. */
export interface ApiKeyRotation {
  /** The old key as it now is: `replacedBy` names the new one, `expiresAt` is the overlap's end. */
  readonly previous: ApiKeyInfo
  /** The new key, with its secret, shown this once. */
  readonly key: CreatedApiKey
}

/**
 * Replaces key `id` by a new one (new id and secret) that copies its account, name, description,
 * scopes, metadata and rate limits, shares its credits (one balance for both: the store links
 * them, so the overlap spends no credits twice), and expires the old key at the end of the overlap. Only an enabled,
 * unexpired key of an enabled account that was never rotated can be rotated; of concurrent
 * rotations of one key exactly one succeeds (the store's `rotateApiKey` is atomic), and the others
 * are told which key replaced it.
 */
export async function rotateApiKey(
  context: ManagerContext,
  id: string,
  options: RotateApiKeyOptions = {},
): Promise<ApiKeyRotation> {
  const overlap = options.overlap ?? DEFAULT_ROTATION_OVERLAP
  if (!Number.isFinite(overlap) || overlap < 0 || overlap > MAX_ROTATION_OVERLAP) {
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      `overlap must be from 0 to ${MAX_ROTATION_OVERLAP} ms (365 days), not ${String(overlap)}.`,
    )
  }
  const now = context.now()
  const expiresAt = options.expiresAt == null ? null : checkExpiresAt(options.expiresAt, now)
  const previous = await requireApiKey(context, id)
  assertRotatable(previous, now)
  await requireEnabledAccount(context, previous.accountId)

  const secret = generateApiKeySecret()
  const replacement: ApiKeyRecord = {
    id: generateApiKeyId(),
    accountId: previous.accountId,
    secretHash: hashSecret(secret),
    scopes: previous.scopes,
    status: 'enabled',
    createdAt: now,
    name: previous.name,
    description: previous.description,
    metadata: previous.metadata,
    expiresAt,
    replaces: previous.id,
    replacedBy: null,
    ...(previous.rateLimits !== undefined && previous.rateLimits.length > 0 ? { rateLimits: previous.rateLimits } : {}),
    // Handed over as read; the store links the replacement to the previous key's balance.
    ...(previous.credits != null ? { credits: previous.credits } : {}),
  }
  const result = await context.store.rotateApiKey(previous.id, replacement, new Date(now.getTime() + overlap))
  if (!result.rotated) {
    // Another writer came between the read and the rotation: say what it did.
    if (!result.previous) throw apiKeyNotFound(id)
    assertRotatable(result.previous, now)
    throw new LatchkeyError('ERR_INVALID_ARGUMENT', `API key ${quoteId(id)} could not be rotated; try again.`)
  }
  return {
    previous: toApiKeyInfo(result.previous, now),
    key: { ...toApiKeyInfo(result.replacement, now), secret },
  }
}

/** Refuses a key that cannot be rotated, saying why and what to do instead. */
function assertRotatable(key: ApiKeyRecord, now: Date): void {
  const id = quoteId(key.id)
  if (key.status === 'revoked') throw apiKeyRevoked(key.id)
  if (key.replacedBy !== null) {
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      `API key ${id} was already replaced by ${quoteId(key.replacedBy)}; rotate that key instead.`,
    )
  }
  if (key.status === 'disabled') {
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      `API key ${id} is disabled; enable it before rotating it, or create a new key.`,
    )
  }
  if (apiKeyState(key, now) === 'expired') {
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      `API key ${id} expired at ${key.expiresAt?.toISOString()}; create a new key, or move its expiry first.`,
    )
  }
}
