import type { SigningKeyRecord } from '@latchkey/verifier'
import type pg from 'pg'
import { constraintError } from './constraint-error.js'
import { rowToSigningKey, type SigningKeyRow, signingKeyColumns } from './rows.js'
import { inTransaction } from './transaction.js'

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
export async function insertSigningKey(db: pg.Pool | pg.PoolClient, key: SigningKeyRecord): Promise<void> {
  await db
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

/**
 * Serialises first-key inserts on one database across processes: any fixed 64-bit number would do,
 * as long as it differs from the migrations' lock (migrations.ts).
 */
const firstSigningKeyLock = 4_918_226_357_190_412n

/**
 * Inserts `key` when the table holds no signing key, else nothing; returns the oldest key afterwards.
 *
 * Correct under READ COMMITTED, the default: a plain `INSERT … WHERE NOT EXISTS` is not, since two
 * transactions can both see the table empty. Here every caller takes one transaction-level
 * advisory lock first, so they run one after the other; the lock is released only when the holder
 * commits, and each statement under READ COMMITTED reads a snapshot taken when it starts, so the
 * next holder's check sees the key the last one inserted. (A `pg_advisory_xact_lock` is scoped to
 * the database, so other databases on the server never wait for it.)
 */
export function insertFirstSigningKey(pool: pg.Pool, key: SigningKeyRecord): Promise<SigningKeyRecord> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [firstSigningKeyLock.toString()])
    const { rows } = await client.query<SigningKeyRow>(
      `SELECT ${signingKeyColumns} FROM latchkey_signing_keys ORDER BY created_at, kid LIMIT 1`,
    )
    const first = rows[0] ? rowToSigningKey(rows[0]) : key
    if (!rows[0]) await insertSigningKey(client, key)
    return first
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

export async function replaceSigningKeyPrivateKey(
  pool: pg.Pool,
  kid: string,
  privateJwk: SigningKeyRecord['privateJwk'],
): Promise<SigningKeyRecord | undefined> {
  const { rows } = await pool.query<SigningKeyRow>(
    `UPDATE latchkey_signing_keys SET private_jwk = $2 WHERE kid = $1 RETURNING ${signingKeyColumns}`,
    [kid, JSON.stringify(privateJwk)],
  )
  return rows[0] && rowToSigningKey(rows[0])
}
