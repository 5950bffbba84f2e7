import type {
  Account,
  AccountStatus,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyStatus,
  Metadata,
  SigningKeyRecord,
} from '@latchkey/verifier'
import { type CreditColumns, creditColumns, rateLimitsToText, rowToCredits, textToRateLimits } from './limit-rows.js'

// Rows as the tables hold them (see migrations.ts). The CHECK constraints guarantee the status and
// alg values and that metadata is a JSON object, so reading them back needs no validation.

/** A row of `accounts`. */
export interface AccountRow {
  id: string
  name: string
  email: string | null
  status: string
  created_at: number
  /** A JSON object. */
  metadata: string
  /** A JSON array of rate limits; `null` for none. */
  rate_limits: string | null
}

/** A row of `api_keys`. */
export interface ApiKeyRow {
  id: string
  account_id: string
  secret_hash: string
  scopes: string
  status: string
  created_at: number
  name: string | null
  description: string | null
  /** A JSON object. */
  metadata: string
  expires_at: number | null
  replaces: string | null
  replaced_by: string | null
  /** A JSON array of rate limits; `null` for none. */
  rate_limits: string | null
  /** Absent from the hot path's query, which has no use for it. */
  last_used_at?: number | null
}

/** A row of `api_keys` as written: with the balance it names, if any. */
export interface ApiKeyInsertRow extends ApiKeyRow {
  credit_balance_id: number | null
}

/** A row of `api_keys` as read: joined with its credit balance. */
export interface ApiKeyReadRow extends ApiKeyRow, CreditColumns {}

/** A key as read, joined with its account's status and rate limits and its revoked tokens. */
export interface ApiKeyCredentialRow extends ApiKeyReadRow {
  account_status: string
  account_rate_limits: string | null
  /** The `jti`s of `revoked_tokens` as a JSON array of strings; `null` when the key has none. */
  revoked_tokens: string | null
}

/** A row of `signing_keys`. */
export interface SigningKeyRow {
  kid: string
  alg: string
  public_jwk: string
  private_jwk: string
  created_at: number
  activates_at: number
  expires_at: number | null
}

/** The columns of `accounts`, in the order of {@link AccountRow}. */
export const accountColumns = 'id, name, email, status, created_at, metadata, rate_limits'

/** The columns of `api_keys` the verifier caches: every one but `last_used_at`. */
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
] as const

/** Every column of `api_keys`, as {@link ApiKeyInsertRow} names them. */
export const apiKeyColumns = [...cachedApiKeyColumns, 'credit_balance_id', 'last_used_at'].join(', ')

/** What a read of a key `k` takes, from {@link apiKeySource}. */
export const apiKeyReadColumns = [
  ...cachedApiKeyColumns.map((column) => `k.${column}`),
  'k.last_used_at',
  creditColumns,
].join(', ')

/** A key `k` with its credit balance `c`, for {@link apiKeyReadColumns}. */
export const apiKeySource = 'api_keys AS k LEFT JOIN credit_balances AS c ON c.id = k.credit_balance_id'

/**
 * What the hot path reads of a key `k`, joined with its account `a`, its balance `c` and its revoked
 * tokens: a correlated subquery, so the lookup stays one statement. An aggregate over no rows still
 * yields one row (`[]`); HAVING turns it into NULL, so a key without revocations costs no JSON parse.
 */
export const apiKeyCredentialColumns = [
  ...cachedApiKeyColumns.map((column) => `k.${column}`),
  creditColumns,
  'a.status AS account_status',
  'a.rate_limits AS account_rate_limits',
  '(SELECT json_group_array(r.jti) FROM revoked_tokens AS r WHERE r.key_id = k.id HAVING count(*) > 0) AS revoked_tokens',
].join(', ')

/** The hot path's one statement: a key with everything {@link apiKeyCredentialColumns} reads. */
export const findApiKeySql = `SELECT ${apiKeyCredentialColumns} FROM api_keys AS k JOIN accounts AS a ON a.id = k.account_id
  LEFT JOIN credit_balances AS c ON c.id = k.credit_balance_id WHERE k.id = ?`

export function accountToRow(account: Account): AccountRow {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    status: account.status,
    created_at: account.createdAt.getTime(),
    metadata: metadataToText(account.metadata),
    rate_limits: rateLimitsToText(account.rateLimits),
  }
}

export function rowToAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    status: row.status as AccountStatus,
    createdAt: new Date(row.created_at),
    metadata: JSON.parse(row.metadata) as Metadata,
    ...textToRateLimits(row.rate_limits),
  }
}

/** `key` as its row holds it, naming the credit balance `creditBalanceId` (`null`: no credits). */
export function apiKeyToRow(key: ApiKeyRecord, creditBalanceId: number | null): ApiKeyInsertRow {
  return {
    id: key.id,
    account_id: key.accountId,
    secret_hash: key.secretHash,
    scopes: JSON.stringify(key.scopes),
    status: key.status,
    created_at: key.createdAt.getTime(),
    // `??`: a record built by code written before these fields existed (plain JavaScript) stores none.
    name: key.name ?? null,
    description: key.description ?? null,
    metadata: metadataToText(key.metadata),
    expires_at: key.expiresAt?.getTime() ?? null,
    replaces: key.replaces ?? null,
    replaced_by: key.replacedBy ?? null,
    rate_limits: rateLimitsToText(key.rateLimits),
    credit_balance_id: creditBalanceId,
    last_used_at: key.lastUsedAt?.getTime() ?? null,
  }
}

export function rowToApiKey(row: ApiKeyReadRow): ApiKeyRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    secretHash: row.secret_hash,
    scopes: JSON.parse(row.scopes) as string[],
    status: row.status as ApiKeyStatus,
    createdAt: new Date(row.created_at),
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata) as Metadata,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    replaces: row.replaces,
    replacedBy: row.replaced_by,
    // Omitted when never used, so that a new key reads back exactly as it was inserted.
    ...(typeof row.last_used_at === 'number' ? { lastUsedAt: new Date(row.last_used_at) } : {}),
    // Omitted when there are none, likewise.
    ...textToRateLimits(row.rate_limits),
    ...rowToCredits(row),
  }
}

export function rowToApiKeyCredential(row: ApiKeyCredentialRow): ApiKeyCredential {
  return {
    ...rowToApiKey(row),
    accountStatus: row.account_status as AccountStatus,
    ...(row.account_rate_limits === null
      ? {}
      : { accountRateLimits: textToRateLimits(row.account_rate_limits).rateLimits ?? [] }),
    // Omitted when there is none, as for lastUsedAt: a key reads back exactly as it was inserted.
    ...(row.revoked_tokens === null ? {} : { revokedTokens: new Set(JSON.parse(row.revoked_tokens) as string[]) }),
  }
}

/** Metadata as the `metadata` columns hold it: JSON text, `{}` when there is none. */
export function metadataToText(metadata: Metadata | undefined): string {
  return JSON.stringify(metadata ?? {})
}

export function signingKeyToRow(key: SigningKeyRecord): SigningKeyRow {
  return {
    kid: key.kid,
    alg: key.alg,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk: JSON.stringify(key.privateJwk),
    created_at: key.createdAt.getTime(),
    activates_at: key.activatesAt.getTime(),
    expires_at: key.expiresAt?.getTime() ?? null,
  }
}

export function rowToSigningKey(row: SigningKeyRow): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg as SigningKeyRecord['alg'],
    publicJwk: JSON.parse(row.public_jwk),
    privateJwk: JSON.parse(row.private_jwk),
    createdAt: new Date(row.created_at),
    activatesAt: new Date(row.activates_at),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
  }
}
