import { type ApiKeyRecord, type ApiKeyRotationResult, LatchkeyError } from '@latchkey/verifier'
import type { Database, Statement } from 'better-sqlite3'
import type { ApiKeyQueries } from './api-key-queries.js'

/** The parameters of the link from a rotated key to its replacement. */
interface RotationLink {
  id: string
  replaced_by: string
  expires_at: number
}

/** Key rotation on `api_keys`: the replacement and the link to it, in one transaction. */
export class ApiKeyRotation {
  readonly #keys: ApiKeyQueries
  readonly #link: Statement<[RotationLink], { credit_balance_id: number | null }>
  readonly #rotate: (id: string, replacement: ApiKeyRecord, expiresAt: Date) => ApiKeyRotationResult

  constructor(db: Database, keys: ApiKeyQueries) {
    this.#keys = keys
    // The WHERE clause, not a read before the write, decides, as for setStatus: of two rotations of
    // one key, by any processes, the second finds replaced_by set and changes nothing. Expiry only
    // moves earlier; NULL stands for "no expiry", which SQLite's MIN would keep.
    this.#link = db.prepare<RotationLink, { credit_balance_id: number | null }>(
      `UPDATE api_keys SET replaced_by = @replaced_by,
         expires_at = CASE WHEN expires_at IS NULL THEN @expires_at ELSE MIN(expires_at, @expires_at) END
       WHERE id = @id AND status = 'enabled' AND replaced_by IS NULL RETURNING credit_balance_id`,
    )
    // IMMEDIATE takes the write lock first, so both writes land together or, when the insert throws
    // (a duplicate replacement id), neither does.
    this.#rotate = db.transaction((id: string, replacement: ApiKeyRecord, expiresAt: Date) =>
      this.#linkAndInsert(id, replacement, expiresAt),
    ).immediate
  }

  /**
   * Rotates key `id` to `replacement` when it is enabled and not rotated yet; else changes nothing.
   *
   * @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when the replacement's id is taken, `ERR_NOT_FOUND`
   *   when its account does not exist.
   */
  rotate(id: string, replacement: ApiKeyRecord, expiresAt: Date): ApiKeyRotationResult {
    return this.#rotate(id, replacement, expiresAt)
  }

  #linkAndInsert(id: string, replacement: ApiKeyRecord, expiresAt: Date): ApiKeyRotationResult {
    let row: { credit_balance_id: number | null } | undefined
    try {
      row = this.#link.get({ id, replaced_by: replacement.id, expires_at: expiresAt.getTime() })
    } catch (error) {
      // api_keys_replaced_by: another key was rotated to this id already.
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error
      throw new LatchkeyError(
        'ERR_INVALID_ARGUMENT',
        `An API key with the id ${JSON.stringify(replacement.id)} already replaced another; give the replacement a new id.`,
        { cause: error },
      )
    }
    if (!row) return { rotated: false, previous: this.#keys.get(id) }
    // The replacement names the balance of the key it replaces, so both spend one balance; only a
    // key without credits lets the replacement start a balance of its own.
    const balance = row.credit_balance_id ?? undefined
    this.#keys.insert({ ...replacement, replaces: id }, balance)
    const inserted = this.#keys.get(replacement.id) as ApiKeyRecord
    return { rotated: true, previous: this.#keys.get(id) as ApiKeyRecord, replacement: inserted }
  }
}
