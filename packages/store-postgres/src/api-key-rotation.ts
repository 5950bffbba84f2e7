import { type ApiKeyRecord, type ApiKeyRotationResult, LatchkeyError } from '@latchkey/verifier'
import type pg from 'pg'
import { insertApiKey } from './api-key-queries.js'
import { type ApiKeyRow, apiKeyColumns, rowToApiKey } from './rows.js'

/**
 * Rotates key `id` to `replacement` when it is enabled and not rotated yet, in one transaction:
 * the replacement is stored (its `replaces` set to `id`), and the key names it and expires at
 * `expiresAt` unless it expires earlier. Otherwise changes nothing. When the key has credits, the
 * replacement spends from the same balance (its `credits_balance_id` names the key holding it), so
 * the overlap spends no credit twice; the credits the replacement record carries are then not stored.
 *
 * The UPDATE's WHERE clause decides, not a read before it: under READ COMMITTED, a concurrent
 * rotation of the key waits for the row lock this one takes, then re-checks the clause against the
 * row as committed, finds `replaced_by` set and changes nothing. So of any number of rotations, on
 * any instances, exactly one succeeds.
 *
 * @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when the replacement's id is taken, `ERR_NOT_FOUND`
 *   when its account does not exist.
 */
export async function rotateApiKey(
  pool: pg.Pool,
  id: string,
  replacement: ApiKeyRecord,
  expiresAt: Date,
): Promise<ApiKeyRotationResult> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // LEAST ignores NULL, which stands for "no expiry".
    const linked = await client
      .query<ApiKeyRow>(
        `UPDATE latchkey_api_keys AS k SET replaced_by = $2, expires_at = LEAST(k.expires_at, $3)
         WHERE k.id = $1 AND k.status = 'enabled' AND k.replaced_by IS NULL RETURNING ${apiKeyColumns}`,
        [id, replacement.id, expiresAt],
      )
      .catch((error: unknown) => {
        throw replacedAlready(error, replacement.id)
      })
    const previous = linked.rows[0]
    if (!previous) {
      const { rows } = await client.query<ApiKeyRow>(
        `SELECT ${apiKeyColumns} FROM latchkey_api_keys AS k WHERE k.id = $1`,
        [id],
      )
      await client.query('COMMIT')
      return { rotated: false, previous: rows[0] && rowToApiKey(rows[0]) }
    }
    const inserted = await insertApiKey(
      client,
      { ...replacement, replaces: id },
      // The holder itself, not the previous key, when that one shares a balance already: one hop on every read.
      previous.credits_balance_id ?? undefined,
    )
    await client.query('COMMIT')
    return { rotated: true, previous: rowToApiKey(previous), replacement: inserted }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** The error of a link to a replacement id another rotation claimed (`latchkey_api_keys_replaced_by`). */
function replacedAlready(error: unknown, replacementId: string): unknown {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown }
  // SQLSTATE 23505 unique_violation.
  if (code !== '23505' || constraint !== 'latchkey_api_keys_replaced_by') return error
  return new LatchkeyError(
    'ERR_INVALID_ARGUMENT',
    `An API key with the id ${JSON.stringify(replacementId)} already replaced another; give the replacement a new id.`,
    { cause: error },
  )
}
