import type {
  Account,
  AccountStatus,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyStatus,
  Metadata,
  SigningKeyRecord,
} from '@latchkey/verifier'

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
  /** Absent from the hot path's query, which has no use for it. */
  last_used_at?: number | null
}

/** A row of `api_keys` joined with its account's status and its revoked tokens. */
export interface ApiKeyCredentialRow extends ApiKeyRow {
  account_status: string
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
export const accountColumns = 'id, name, email, status, created_at, metadata'

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
] as const

/** Every column of `api_keys`. */
export const apiKeyColumns = [...cachedApiKeyColumns, 'last_used_at'].join(', ')

/**
 * What the hot path reads of a key `k`, joined with its account `a`, and its revoked tokens: a
 * correlated subquery, so the lookup stays one statement. An aggregate over no rows still yields
 * one row (`[]`); HAVING turns it into NULL, so a key without revocations costs no JSON parse.
 */
export const apiKeyCredentialColumns = [
  ...cachedApiKeyColumns.map((column) => `k.${column}`),
  'a.status AS account_status',
  '(SELECT json_group_array(r.jti) FROM revoked_tokens AS r WHERE r.key_id = k.id HAVING count(*) > 0) AS revoked_tokens',
].join(', ')

export function accountToRow(account: Account): AccountRow {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    status: account.status,
    created_at: account.createdAt.getTime(),
    metadata: metadataToText(account.metadata),
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
  }
}

export function apiKeyToRow(key: ApiKeyRecord): ApiKeyRow {
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
    last_used_at: key.lastUsedAt?.getTime() ?? null,
  }
}

export function rowToApiKey(row: ApiKeyRow): ApiKeyRecord {
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
  }
}

export function rowToApiKeyCredential(row: ApiKeyCredentialRow): ApiKeyCredential {
  return {
    ...rowToApiKey(row),
    accountStatus: row.account_status as AccountStatus,
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
