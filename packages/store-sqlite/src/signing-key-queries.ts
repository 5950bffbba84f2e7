import type { SigningKeyRecord } from '@latchkey/verifier'
import type { Database, Statement } from 'better-sqlite3'
import { constraintError } from './constraint-error.js'
import { rowToSigningKey, type SigningKeyRow, signingKeyToRow } from './rows.js'

const signingKeyColumns = 'kid, alg, public_jwk, private_jwk, created_at, activates_at, expires_at'

/** The queries on `signing_keys`, prepared once on the store's connection. */
export class SigningKeyQueries {
  readonly #list: Statement<[], SigningKeyRow>
  readonly #insert: Statement<[SigningKeyRow]>
  readonly #insertFirst: (key: SigningKeyRecord) => SigningKeyRecord
  readonly #expire: Statement<[{ kid: string; expires_at: number }], SigningKeyRow>
  readonly #replacePrivateKey: Statement<[{ kid: string; private_jwk: string }], SigningKeyRow>

  constructor(db: Database) {
    this.#list = db.prepare<[], SigningKeyRow>(`SELECT ${signingKeyColumns} FROM signing_keys ORDER BY created_at, kid`)
    this.#insert = db.prepare<SigningKeyRow>(
      `INSERT INTO signing_keys (${signingKeyColumns})
       VALUES (@kid, @alg, @public_jwk, @private_jwk, @created_at, @activates_at, @expires_at)`,
    )
    const oldest = db.prepare<[], SigningKeyRow>(
      `SELECT ${signingKeyColumns} FROM signing_keys ORDER BY created_at, kid LIMIT 1`,
    )
    // IMMEDIATE takes the file's write lock before the read, so no other connection or process can
    // insert between the check and the insert; a deferred transaction would only fail on upgrade.
    this.#insertFirst = db.transaction((key: SigningKeyRecord): SigningKeyRecord => {
      const row = oldest.get()
      if (row) return rowToSigningKey(row)
      this.insert(key)
      return key
    }).immediate
    // Expiry only moves earlier; NULL stands for "no expiry yet", which SQLite's MIN would keep.
    this.#expire = db.prepare<{ kid: string; expires_at: number }, SigningKeyRow>(
      `UPDATE signing_keys SET expires_at = CASE WHEN expires_at IS NULL THEN @expires_at ELSE MIN(expires_at, @expires_at) END
       WHERE kid = @kid RETURNING ${signingKeyColumns}`,
    )
    this.#replacePrivateKey = db.prepare<{ kid: string; private_jwk: string }, SigningKeyRow>(
      `UPDATE signing_keys SET private_jwk = @private_jwk WHERE kid = @kid RETURNING ${signingKeyColumns}`,
    )
  }

  list(): SigningKeyRecord[] {
    return this.#list.all().map(rowToSigningKey)
  }

  /** @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when a signing key with this `kid` exists. */
  insert(key: SigningKeyRecord): void {
    try {
      this.#insert.run(signingKeyToRow(key))
    } catch (error) {
      throw constraintError(error, `A signing key with the kid ${JSON.stringify(key.kid)} already exists.`)
    }
  }

  /** Inserts `key` when the table is empty, else inserts nothing; returns the oldest key afterwards. */
  insertFirst(key: SigningKeyRecord): SigningKeyRecord {
    return this.#insertFirst(key)
  }

  expire(kid: string, expiresAt: Date): SigningKeyRecord | undefined {
    const row = this.#expire.get({ kid, expires_at: expiresAt.getTime() })
    return row && rowToSigningKey(row)
  }

  replacePrivateKey(kid: string, privateJwk: SigningKeyRecord['privateJwk']): SigningKeyRecord | undefined {
    const row = this.#replacePrivateKey.get({ kid, private_jwk: JSON.stringify(privateJwk) })
    return row && rowToSigningKey(row)
  }
}
