import {
  type ApiKeyChanges,
  type ApiKeyCredential,
  type ApiKeyRecord,
  type ApiKeyStatus,
  creditsWithRefill,
} from '@latchkey/verifier'
import type { Database, Statement } from 'better-sqlite3'
import { withBusyTimeout } from './busy-timeout.js'
import { constraintError } from './constraint-error.js'
import type { CreditQueries } from './credit-queries.js'
import { rateLimitsToText } from './limit-rows.js'
import {
  type ApiKeyCredentialRow,
  type ApiKeyInsertRow,
  type ApiKeyReadRow,
  apiKeyColumns,
  apiKeyReadColumns,
  apiKeySource,
  apiKeyToRow,
  findApiKeySql,
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
  set_rate_limits: number
  rate_limits: string | null
}

/** The queries on `api_keys`, prepared once on the store's connection. */
export class ApiKeyQueries {
  readonly #db: Database
  readonly #credits: CreditQueries
  readonly #find: Statement<[string], ApiKeyCredentialRow>
  readonly #insert: (key: ApiKeyRecord, creditBalanceId: number | null | undefined) => void
  readonly #get: Statement<[string], ApiKeyReadRow>
  readonly #list: Statement<[], ApiKeyReadRow>
  readonly #listOfAccount: Statement<[string], ApiKeyReadRow>
  readonly #setStatus: (id: string, status: ApiKeyStatus) => ApiKeyRecord | undefined
  readonly #update: (id: string, changes: ApiKeyChanges) => ApiKeyRecord | undefined
  readonly #touch: (uses: ReadonlyMap<string, Date>) => void

  constructor(db: Database, credits: CreditQueries) {
    this.#db = db
    this.#credits = credits
    this.#find = db.prepare<[string], ApiKeyCredentialRow>(findApiKeySql)
    const insert = db.prepare<ApiKeyInsertRow>(
      `INSERT INTO api_keys (${apiKeyColumns}) VALUES (${apiKeyColumns.replace(/(\w+)/g, '@$1')})`,
    )
    // A key with credits and its new balance land together, or neither does.
    this.#insert = db.transaction((key: ApiKeyRecord, creditBalanceId: number | null | undefined) => {
      const balance = creditBalanceId !== undefined ? creditBalanceId : key.credits ? credits.insert(key.credits) : null
      insert.run(apiKeyToRow(key, balance))
    })
    this.#get = db.prepare<[string], ApiKeyReadRow>(`SELECT ${apiKeyReadColumns} FROM ${apiKeySource} WHERE k.id = ?`)
    this.#list = db.prepare<[], ApiKeyReadRow>(
      `SELECT ${apiKeyReadColumns} FROM ${apiKeySource} ORDER BY k.created_at, k.id`,
    )
    this.#listOfAccount = db.prepare<[string], ApiKeyReadRow>(
      `SELECT ${apiKeyReadColumns} FROM ${apiKeySource} WHERE k.account_id = ? ORDER BY k.created_at, k.id`,
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
    const update = db.prepare<ApiKeyUpdate, { id: string }>(
      `UPDATE api_keys SET
         name = CASE WHEN @set_name THEN @name ELSE name END,
         description = CASE WHEN @set_description THEN @description ELSE description END,
         scopes = CASE WHEN @set_scopes THEN @scopes ELSE scopes END,
         metadata = CASE WHEN @set_metadata THEN @metadata ELSE metadata END,
         expires_at = CASE WHEN @set_expires_at THEN @expires_at ELSE expires_at END,
         rate_limits = CASE WHEN @set_rate_limits THEN @rate_limits ELSE rate_limits END
       WHERE id = @id RETURNING id`,
    )
    // IMMEDIATE, as for setStatus; the credits live in another table, written in the same transaction.
    this.#update = db.transaction((id: string, changes: ApiKeyChanges): ApiKeyRecord | undefined => {
      if (!update.get(updateParameters(id, changes))) return undefined
      if (changes.credits !== undefined) this.#credits.set(id, changes.credits)
      else if (changes.creditRefill) {
        // Read and written under the transaction's write lock: no spend, of any process, comes between.
        const credits = creditsWithRefill(this.get(id)?.credits, changes.creditRefill)
        if (credits) this.#credits.set(id, credits)
      }
      return this.get(id)
    }).immediate
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
  insert(key: ApiKeyRecord, creditBalanceId?: number | null): void {
    try {
      this.#insert(key, creditBalanceId)
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

  /** Changes the fields `changes` gives, in one transaction; a field left out or `undefined` keeps its value. */
  update(id: string, changes: ApiKeyChanges): ApiKeyRecord | undefined {
    return this.#update(id, changes)
  }

  /**
   * Moves each key's `lastUsedAt` forward, in one transaction. better-sqlite3 waits synchronously,
   * so while another process holds the write lock this waits 50 ms at most, not the busy timeout,
   * and then throws: the verifier keeps the uses for its next batch rather than stall requests.
   */
  touch(uses: ReadonlyMap<string, Date>): void {
    if (uses.size === 0) return
    withBusyTimeout(this.#db, 50, () => this.#touch(uses))
  }
}

/** The parameters of the key update for `changes`. */
function updateParameters(id: string, changes: ApiKeyChanges): ApiKeyUpdate {
  const { name, description, scopes, metadata, expiresAt, rateLimits } = changes
  return {
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
    set_rate_limits: Number(rateLimits !== undefined),
    rate_limits: rateLimitsToText(rateLimits),
  }
}
