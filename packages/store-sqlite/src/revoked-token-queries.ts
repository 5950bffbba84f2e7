import { LatchkeyError, type RevokedToken } from '@latchkey/verifier'
import type { Database } from 'better-sqlite3'
import { constraintError } from './constraint-error.js'

/** A row of `revoked_tokens`. */
interface RevokedTokenRow {
  key_id: string
  jti: string
  expires_at: number
}

/** The writes on `revoked_tokens`, prepared once on the store's connection; `api_keys` reads them. */
export class RevokedTokenQueries {
  readonly #revoke: (token: RevokedToken, now: Date) => void

  constructor(db: Database) {
    const purge = db.prepare<[number]>('DELETE FROM revoked_tokens WHERE expires_at <= ?')
    // Revoking a token again keeps the later expiry: a verifier with a larger clock tolerance may
    // still accept the token until then.
    const upsert = db.prepare<[RevokedTokenRow]>(
      `INSERT INTO revoked_tokens (key_id, jti, expires_at) VALUES (@key_id, @jti, @expires_at)
       ON CONFLICT (key_id, jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
    )
    const keyExists = db.prepare<[string], number>('SELECT 1 FROM api_keys WHERE id = ?').pluck()
    // IMMEDIATE takes the write lock first, so the purge and the insert land together or, when the
    // key does not exist, neither does.
    this.#revoke = db.transaction((token: RevokedToken, now: Date): void => {
      purge.run(now.getTime())
      const missing = `No API key has the id ${JSON.stringify(token.keyId)}; a token can be revoked only while its key exists.`
      if (token.expiresAt <= now) {
        // Nothing to store, but the contract's answer for an unknown key does not depend on expiry.
        if (keyExists.get(token.keyId) === undefined) throw new LatchkeyError('ERR_NOT_FOUND', missing)
        return
      }
      try {
        upsert.run({ key_id: token.keyId, jti: token.jti, expires_at: token.expiresAt.getTime() })
      } catch (error) {
        // ON CONFLICT leaves no duplicate to report: only the foreign key can fail.
        throw constraintError(error, `The token ${JSON.stringify(token.jti)} is revoked already.`, missing)
      }
    }).immediate
  }

  /**
   * Remembers that token `token.jti` of key `token.keyId` is revoked until `token.expiresAt`, and
   * forgets every revocation that expires at or before `now`, in one IMMEDIATE transaction.
   *
   * @throws {LatchkeyError} `ERR_NOT_FOUND` when no key has the id `token.keyId`.
   */
  revoke(token: RevokedToken, now: Date): void {
    this.#revoke(token, now)
  }
}
