import { LatchkeyError, type RevokedToken } from '@latchkey/verifier'
import type pg from 'pg'
import { constraintError } from './constraint-error.js'

/**
 * Remembers that token `token.jti` of key `token.keyId` is revoked until `token.expiresAt`, and
 * forgets every revocation that expires at or before `now`, in one transaction. The table's triggers
 * announce the key on the change feed at commit (see migration 5), whoever revokes.
 *
 * @throws {LatchkeyError} `ERR_NOT_FOUND` when no key has the id `token.keyId`.
 */
export async function revokeAccessToken(pool: pg.Pool, token: RevokedToken, now: Date): Promise<void> {
  const missing = `No API key has the id ${JSON.stringify(token.keyId)}; a token can be revoked only while its key exists.`
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // SKIP LOCKED: rows another revocation is purging, or extending, are left to it, so concurrent
    // revocations never wait for each other here, nor deadlock on rows they both delete.
    await client.query(
      `DELETE FROM latchkey_revoked_tokens WHERE (key_id, jti) IN (
         SELECT key_id, jti FROM latchkey_revoked_tokens WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED
       )`,
      [now],
    )
    if (token.expiresAt > now) {
      // Revoking a token again keeps the later expiry: a verifier with a larger clock tolerance may
      // still accept the token until then. An earlier one changes no row, so nothing is announced.
      await client
        .query(
          `INSERT INTO latchkey_revoked_tokens AS r (key_id, jti, expires_at) VALUES ($1, $2, $3)
           ON CONFLICT (key_id, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at
           WHERE r.expires_at < EXCLUDED.expires_at`,
          [token.keyId, token.jti, token.expiresAt],
        )
        .catch((error: unknown) => {
          // ON CONFLICT leaves no duplicate to report: only the foreign key can fail.
          throw constraintError(error, `The token ${JSON.stringify(token.jti)} is revoked already.`, missing)
        })
    } else {
      // Nothing to store, but the contract's answer for an unknown key does not depend on expiry.
      const { rowCount } = await client.query('SELECT 1 FROM latchkey_api_keys WHERE id = $1', [token.keyId])
      if (!rowCount) throw new LatchkeyError('ERR_NOT_FOUND', missing)
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}
