import type { SigningKeyRecord } from '@latchkey/verifier'
import type pg from 'pg'
import { constraintError } from './constraint-error.js'
import { rowToSigningKey, type SigningKeyRow, signingKeyColumns } from './rows.js'

/**
 * A hot path of the verifier, as a named statement: `pg` prepares it once per connection, so later
 * calls send only the values. The name is versioned with the schema it was written for.
 */
const listSigningKeysStatement = {
  name: 'latchkey_v1_list_signing_keys',
  text: `SELECT ${signingKeyColumns} FROM latchkey_signing_keys ORDER BY created_at, kid`,
} as const

export async function listSigningKeys(pool: pg.Pool): Promise<SigningKeyRecord[]> {
  const { rows } = await pool.query<SigningKeyRow>(listSigningKeysStatement)
  return rows.map(rowToSigningKey)
}

/** @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when a signing key with this `kid` exists. */
export async function insertSigningKey(pool: pg.Pool, key: SigningKeyRecord): Promise<void> {
  await pool
    .query(`INSERT INTO latchkey_signing_keys (${signingKeyColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      key.kid,
      key.alg,
      JSON.stringify(key.publicJwk),
      JSON.stringify(key.privateJwk),
      key.createdAt,
      key.activatesAt,
      key.expiresAt,
    ])
    .catch((error: unknown) => {
      throw constraintError(error, `A signing key with the kid ${JSON.stringify(key.kid)} already exists.`)
    })
}

export async function expireSigningKey(
  pool: pg.Pool,
  kid: string,
  expiresAt: Date,
): Promise<SigningKeyRecord | undefined> {
  // Expiry only moves earlier; LEAST ignores NULL, which stands for "no expiry yet".
  const { rows } = await pool.query<SigningKeyRow>(
    `UPDATE latchkey_signing_keys SET expires_at = LEAST(expires_at, $2) WHERE kid = $1 RETURNING ${signingKeyColumns}`,
    [kid, expiresAt],
  )
  return rows[0] && rowToSigningKey(rows[0])
}
