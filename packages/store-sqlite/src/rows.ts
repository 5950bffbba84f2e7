import type {
  Account,
  AccountStatus,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyStatus,
  SigningKeyRecord,
} from '@latchkey/verifier'

// Rows as the tables hold them (see migrations.ts). The CHECK constraints guarantee the status and
// alg values, so reading them back needs no validation.

/** A row of `accounts`. */
export interface AccountRow {
  id: string
  name: string
  email: string | null
  status: string
  created_at: number
}

/** A row of `api_keys`. */
export interface ApiKeyRow {
  id: string
  account_id: string
  secret_hash: string
  scopes: string
  status: string
  created_at: number
  /** Absent from the hot path's query, which has no use for it. */
  last_used_at?: number | null
}

/** A row of `api_keys` joined with its account's status. */
export interface ApiKeyCredentialRow extends ApiKeyRow {
  account_status: string
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

export function accountToRow(account: Account): AccountRow {
  return {
    id: account.id,
    name: account.name,
    email: account.email,
    status: account.status,
    created_at: account.createdAt.getTime(),
  }
}

export function rowToAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    status: row.status as AccountStatus,
    createdAt: new Date(row.created_at),
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
    // Omitted when never used, so that a new key reads back exactly as it was inserted.
    ...(typeof row.last_used_at === 'number' ? { lastUsedAt: new Date(row.last_used_at) } : {}),
  }
}

export function rowToApiKeyCredential(row: ApiKeyCredentialRow): ApiKeyCredential {
  return { ...rowToApiKey(row), accountStatus: row.account_status as AccountStatus }
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
