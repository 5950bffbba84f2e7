import type {
  Account,
  AccountStatus,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyStatus,
  Metadata,
  SigningKeyRecord,
} from '@latchkey/verifier'
import {
  type CreditsJson,
  creditsColumn,
  creditsOf,
  creditsValues,
  rateLimitsField,
  rateLimitsToJson,
} from './usage-limit-columns.js'

// Rows as `pg` returns them (see migrations.ts): timestamptz as Date, text[] as string[], jsonb
// parsed. The CHECK constraints guarantee the status and alg values and that metadata is a JSON
// object, so they need no validation; rate limits are checked on read (see usage-limit-columns.ts).

/** A row of `latchkey_accounts`. */
export interface AccountRow {
  id: string
  name: string
  email: string | null
  status: string
  created_at: Date
  metadata: Metadata
  rate_limits: unknown
}

/** A row of `latchkey_api_keys`. */
export interface ApiKeyRow {
  id: string
  account_id: string
  secret_hash: string
  scopes: string[]
  status: string
  created_at: Date
  name: string | null
  description: string | null
  metadata: Metadata
  expires_at: Date | null
  replaces: string | null
  replaced_by: string | null
  rate_limits: unknown
  /** The credits the key spends from (see `creditsColumn`); `null` when it is not metered. */
  credits: CreditsJson | null
  /** The key whose row holds the balance the key spends from; `null` when it is not metered. */
  credits_balance_id: string | null
  /** Absent from the hot path's query, which has no use for it. */
  last_used_at?: Date | null
}

/** A row of `latchkey_api_keys` joined with its account's status and its revoked tokens. */
export interface ApiKeyCredentialRow extends ApiKeyRow {
  account_status: string
  /** The `jti`s of `latchkey_revoked_tokens`; `null` when the key has none. */
  revoked_tokens: string[] | null
  account_rate_limits: unknown
}

/** A row of `latchkey_signing_keys`. */
export interface SigningKeyRow {
  kid: string
  alg: string
  public_jwk: SigningKeyRecord['publicJwk']
  private_jwk: SigningKeyRecord['privateJwk']
  created_at: Date
  activates_at: Date
  expires_at: Date | null
}

export const accountColumns = 'id, name, email, status, created_at, metadata, rate_limits'

/** The columns of `latchkey_api_keys` the verifier caches, besides its credits. */
const cachedApiKeyColumns = [
  'id',
  'account_id',
  'secret_hash',
  'scopes',
  'status',
  'created_at',
  'name',
  'description',
  'metadata',
  'expires_at',
  'replaces',
  'replaced_by',
  'rate_limits',
  'credits_balance_id',
] as const

/** Every column of `latchkey_api_keys`, in the order inserts give them (see {@link apiKeyValues}). */
export const apiKeyInsertColumns = [
  ...cachedApiKeyColumns,
  'credits_remaining',
  'credits_refill_amount',
  'credits_refill_interval',
  'credits_refills_at',
  'last_used_at',
].join(', ')

/**
 * What every read of a key `k` (`latchkey_api_keys AS k`, in a SELECT or a RETURNING) returns: its
 * columns, the credits it spends from and `last_used_at`.
 */
export const apiKeyColumns = [
  ...cachedApiKeyColumns.map((column) => `k.${column}`),
  creditsColumn,
  'k.last_used_at',
].join(', ')

/**
 * What the hot path reads of a key `k`, joined with its account `a`: the key, its credits, its
 * account's status and rate limits, and its revoked tokens, by correlated subqueries on primary
 * keys, so the lookup stays one round trip. `array_agg` over no rows is NULL.
 */
export const apiKeyCredentialColumns = [
  ...cachedApiKeyColumns.map((column) => `k.${column}`),
  creditsColumn,
  'a.status AS account_status',
  'a.rate_limits AS account_rate_limits',
  '(SELECT array_agg(r.jti) FROM latchkey_revoked_tokens AS r WHERE r.key_id = k.id) AS revoked_tokens',
].join(', ')
export const signingKeyColumns = 'kid, alg, public_jwk, private_jwk, created_at, activates_at, expires_at'

export function rowToAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    status: row.status as AccountStatus,
    createdAt: row.created_at,
    metadata: row.metadata,
    ...rateLimitsField(row.rate_limits, `account ${JSON.stringify(row.id)}`),
  }
}

export function rowToApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    secretHash: row.secret_hash,
    scopes: row.scopes,
    status: row.status as ApiKeyStatus,
    createdAt: row.created_at,
    name: row.name,
    description: row.description,
    metadata: row.metadata,
    expiresAt: row.expires_at,
    replaces: row.replaces,
    replacedBy: row.replaced_by,
    // Omitted when there are none, as lastUsedAt: a key made without them reads back as it was inserted.
    ...rateLimitsField(row.rate_limits, `API key ${JSON.stringify(row.id)}`),
    ...creditsField(row.credits),
    // Omitted when never used, so that a new key reads back exactly as it was inserted.
    ...(row.last_used_at instanceof Date ? { lastUsedAt: row.last_used_at } : {}),
  }
}

function creditsField(json: CreditsJson | null): Pick<ApiKeyRecord, 'credits'> {
  const credits = creditsOf(json)
  return credits ? { credits } : {}
}

/**
 * The values of {@link apiKeyInsertColumns} for `key`, for an insert. The key holds its own balance
 * when it has credits, unless `sharedBalance` names the key whose balance it spends from (rotation).
 */
export function apiKeyValues(key: ApiKeyRecord, sharedBalance?: string): unknown[] {
  const ownCredits = sharedBalance === undefined ? key.credits : null
  return [
    key.id,
    key.accountId,
    key.secretHash,
    [...key.scopes],
    key.status,
    key.createdAt,
    // `??`: a record built by code written before these fields existed (plain JavaScript) stores none.
    key.name ?? null,
    key.description ?? null,
    metadataToJson(key.metadata),
    key.expiresAt ?? null,
    key.replaces ?? null,
    key.replacedBy ?? null,
    rateLimitsToJson(key.rateLimits),
    sharedBalance ?? (ownCredits ? key.id : null),
    ...creditsValues(ownCredits),
    key.lastUsedAt ?? null,
  ]
}

/** Metadata as a jsonb parameter: JSON text, as the JWKs are given, `{}` when there is none. */
export function metadataToJson(metadata: Metadata | undefined): string {
  return JSON.stringify(metadata ?? {})
}

export function rowToApiKeyCredential(row: ApiKeyCredentialRow): ApiKeyCredential {
  return {
    ...rowToApiKey(row),
    accountStatus: row.account_status as AccountStatus,
    ...accountRateLimitsField(row),
    // Omitted when there is none, as for lastUsedAt: a key reads back exactly as it was inserted.
    ...(row.revoked_tokens === null ? {} : { revokedTokens: new Set(row.revoked_tokens) }),
  }
}

function accountRateLimitsField(row: ApiKeyCredentialRow): Pick<ApiKeyCredential, 'accountRateLimits'> {
  const { rateLimits } = rateLimitsField(row.account_rate_limits, `account ${JSON.stringify(row.account_id)}`)
  return rateLimits ? { accountRateLimits: rateLimits } : {}
}

export function rowToSigningKey(row: SigningKeyRow): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg as SigningKeyRecord['alg'],
    publicJwk: row.public_jwk,
    privateJwk: row.private_jwk,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    expiresAt: row.expires_at,
  }
}
