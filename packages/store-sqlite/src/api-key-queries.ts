import type { ApiKeyChanges, ApiKeyCredential, ApiKeyRecord, ApiKeyStatus } from '@latchkey/verifier'
import type { Database, Statement } from 'better-sqlite3'
import { constraintError } from './constraint-error.js'
import {
  type ApiKeyCredentialRow,
  type ApiKeyRow,
  apiKeyColumns,
  apiKeyCredentialColumns,
  apiKeyToRow,
  metadataToText,
  rowToApiKey,
  rowToApiKeyCredential,
} from './rows.js'

/** The parameters of the key update: each `set_` flag (1 or 0) says whether its column changes. */
interface ApiKeyUpdate {
  id: string
  set_name: number
  name: string | null
  set_description: number
  description: string | null
  set_scopes: number
  scopes: string | null
  set_metadata: number
  metadata: string | null
  set_expires_at: number
  expires_at: number | null
}

/** The queries on `api_keys`, prepared once on the store's connection. */
export class ApiKeyQueries {
  readonly #db: Database
  readonly #find: Statement<[string], ApiKeyCredentialRow>
  readonly #insert: Statement<[ApiKeyRow]>
  readonly #get: Statement<[string], ApiKeyRow>
  readonly #list: Statement<[], ApiKeyRow>
  readonly #listOfAccount: Statement<[string], ApiKeyRow>
  readonly #setStatus: (id: string, status: ApiKeyStatus) => ApiKeyRecord | undefined
  readonly #update: Statement<[ApiKeyUpdate], ApiKeyRow>
  readonly #touch: (uses: ReadonlyMap<string, Date>) => void

  constructor(db: Database) {
    this.#db = db
    this.#find = db.prepare<[string], ApiKeyCredentialRow>(
      `SELECT ${apiKeyCredentialColumns} FROM api_keys AS k JOIN accounts AS a ON a.id = k.account_id WHERE k.id = ?`,
    )
    this.#insert = db.prepare<ApiKeyRow>(
      `INSERT INTO api_keys (${apiKeyColumns})
       VALUES (@id, @account_id, @secret_hash, @scopes, @status, @created_at, @name, @description, @metadata,
               @expires_at, @replaces, @replaced_by, @last_used_at)`,
    )
    this.#get = db.prepare<[string], ApiKeyRow>(`SELECT ${apiKeyColumns} FROM api_keys WHERE id = ?`)
    this.#list = db.prepare<[], ApiKeyRow>(`SELECT ${apiKeyColumns} FROM api_keys ORDER BY created_at, id`)
    this.#listOfAccount = db.prepare<[string], ApiKeyRow>(
      `SELECT ${apiKeyColumns} FROM api_keys WHERE account_id = ? ORDER BY created_at, id`,
    )
    // The WHERE clause, not a read before the write, keeps `revoked` final: no interleaving of
    // processes can bring a revoked key back.
    const setStatus = db.prepare<[ApiKeyStatus, string]>(
      `UPDATE api_keys SET status = ? WHERE id = ? AND status != 'revoked'`,
    )
    // Only forward: instances flushing out of order never move lastUsedAt back.
    const touch = db.prepare<{ id: string; at: number }>(
      `UPDATE api_keys SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)`,
    )
    // One IMMEDIATE transaction, so the key returned is the one this call left, not one another
    // process changed in between.
    this.#setStatus = db.transaction((id: string, status: ApiKeyStatus): ApiKeyRecord | undefined => {
      setStatus.run(status, id)
      return this.get(id)
    }).immediate
    // Never status, secret, account or rotation links: those have their own writes.
    this.#update = db.prepare<ApiKeyUpdate, ApiKeyRow>(
      `UPDATE api_keys SET
         name = CASE WHEN @set_name THEN @name ELSE name END,
         description = CASE WHEN @set_description THEN @description ELSE description END,
         scopes = CASE WHEN @set_scopes THEN @scopes ELSE scopes END,
         metadata = CASE WHEN @set_metadata THEN @metadata ELSE metadata END,
         expires_at = CASE WHEN @set_expires_at THEN @expires_at ELSE expires_at END
       WHERE id = @id RETURNING ${apiKeyColumns}`,
    )
    this.#touch = db.transaction((uses: ReadonlyMap<string, Date>): void => {
      for (const [id, at] of uses) touch.run({ id, at: at.getTime() })
    }).immediate
  }

  /** The key with its account's status, in one read: the verifier's lookup on every request. */
  find(id: string): ApiKeyCredential | undefined {
    const row = this.#find.get(id)
    return row && rowToApiKeyCredential(row)
  }

  /**
   * @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when a key with this id exists, `ERR_NOT_FOUND`
   *   when its account does not.
   */
  insert(key: ApiKeyRecord): void {
    try {
      this.#insert.run(apiKeyToRow(key))
    } catch (error) {
      throw constraintError(
        error,
        `An API key with the id ${JSON.stringify(key.id)} already exists.`,
        `No account has the id ${JSON.stringify(key.accountId)}; create the account before its keys.`,
      )
    }
  }

  get(id: string): ApiKeyRecord | undefined {
    const row = this.#get.get(id)
    return row && rowToApiKey(row)
  }

  list(filter: { readonly accountId?: string }): ApiKeyRecord[] {
    const rows = filter.accountId === undefined ? this.#list.all() : this.#listOfAccount.all(filter.accountId)
    return rows.map(rowToApiKey)
  }

  setStatus(id: string, status: ApiKeyStatus): ApiKeyRecord | undefined {
    return this.#setStatus(id, status)
  }

  /** Changes the fields `changes` gives, in one statement; a field left out or `undefined` keeps its value. */
  update(id: string, changes: ApiKeyChanges): ApiKeyRecord | undefined {
    const { name, description, scopes, metadata, expiresAt } = changes
    const row = this.#update.get({
      id,
      set_name: Number(name !== undefined),
      name: name ?? null,
      set_description: Number(description !== undefined),
      description: description ?? null,
      set_scopes: Number(scopes !== undefined),
      scopes: scopes === undefined ? null : JSON.stringify(scopes),
      set_metadata: Number(metadata !== undefined),
      metadata: metadata === undefined ? null : metadataToText(metadata),
      set_expires_at: Number(expiresAt !== undefined),
      expires_at: expiresAt?.getTime() ?? null,
    })
    return row && rowToApiKey(row)
  }

  /**
   * Moves each key's `lastUsedAt` forward, in one transaction. better-sqlite3 waits synchronously,
   * so while another process holds the write lock this waits 50 ms at most, not the busy timeout,
   * and then throws: the verifier keeps the uses for its next batch rather than stall requests.
   */
  touch(uses: ReadonlyMap<string, Date>): void {
    if (uses.size === 0) return
    const busyTimeout = this.#db.pragma('busy_timeout', { simple: true }) as number
    this.#db.pragma('busy_timeout = 50')
    try {
      this.#touch(uses)
    } finally {
      this.#db.pragma(`busy_timeout = ${busyTimeout}`)
    }
  }
}
