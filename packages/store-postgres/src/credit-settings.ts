import { type ApiKeyRecord, type CreditRefillChange, creditsWithRefill, type KeyCredits } from '@latchkey/verifier'
import type pg from 'pg'
import { CHANGE_CHANNEL } from './migrations.js'
import { type ApiKeyRow, apiKeyColumns, rowToApiKey } from './rows.js'
import { type SetClause, setClause } from './set-clause.js'
import { inTransaction } from './transaction.js'
import { balanceJson, type CreditsJson, creditsOf, creditsValues } from './usage-limit-columns.js'

/** The key columns an update changes besides credits, as `updateApiKey` lists them. */
type KeyColumns = ReadonlyArray<readonly [column: string, value: unknown]>

/**
 * Changes `columns` of key `id` and sets its credits, in one transaction. `credits` go to the balance
 * the key spends from (the shared one, for a key linked to another's by rotation), else to a new one
 * in the key's own row; `null` unlinks the key, and clears the balance once no key spends from it.
 * A {@link CreditRefillChange} is applied to the balance as it is, read under a row lock that every
 * spend (an UPDATE of that row) waits for, so no credit spent meanwhile is handed back.
 *
 * A setting may change only the columns a spend changes too (remaining, next refill), which the
 * update trigger does not announce (see migration 6), and the keys sharing the balance have rows
 * this does not touch: so every key on the balance is announced here, at commit, as the triggers do.
 */
export function updateApiKeyAndCredits(
  pool: pg.Pool,
  id: string,
  columns: KeyColumns,
  change: KeyCredits | null | CreditRefillChange,
): Promise<ApiKeyRecord | undefined> {
  return inTransaction(pool, async (client) => {
    // NO KEY UPDATE, so that a rotation's insert naming this key (a key-share lock) need not wait.
    const { rows: found } = await client.query<{ credits_balance_id: string | null }>(
      'SELECT credits_balance_id FROM latchkey_api_keys WHERE id = $1 FOR NO KEY UPDATE',
      [id],
    )
    const key = found[0]
    if (!key) return undefined
    const previous = key.credits_balance_id
    const credits = isRefillChange(change) ? creditsWithRefill(await lockedCredits(client, previous), change) : change
    // A refill removed from a key that has no credits: nothing to write of them.
    const balance = credits === null ? null : credits === undefined ? previous : (previous ?? id)
    const set = setClause([...columns, ['credits_balance_id', balance]]) as SetClause
    await client.query(`UPDATE latchkey_api_keys SET ${set.text} WHERE id = $${set.values.length + 1}`, [
      ...set.values,
      id,
    ])
    if (credits && balance !== null) {
      await client.query(
        `UPDATE latchkey_api_keys SET credits_remaining = $2, credits_refill_amount = $3,
           credits_refill_interval = $4, credits_refills_at = $5
         WHERE id = $1`,
        [balance, ...creditsValues(credits)],
      )
    } else if (credits === null && previous !== null) {
      await client.query(
        `UPDATE latchkey_api_keys SET credits_remaining = NULL, credits_refill_amount = NULL,
           credits_refill_interval = NULL, credits_refills_at = NULL
         WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM latchkey_api_keys WHERE credits_balance_id = $1)`,
        [previous],
      )
    }
    await client.query(
      `SELECT pg_notify($1, json_build_object('type', 'api-key', 'id', id)::text)
       FROM latchkey_api_keys WHERE id = $2 OR credits_balance_id = $3`,
      [CHANGE_CHANNEL, id, balance ?? previous],
    )
    const { rows } = await client.query<ApiKeyRow>(
      `SELECT ${apiKeyColumns} FROM latchkey_api_keys AS k WHERE k.id = $1`,
      [id],
    )
    return rows[0] && rowToApiKey(rows[0])
  })
}

function isRefillChange(change: KeyCredits | null | CreditRefillChange): change is CreditRefillChange {
  return change !== null && 'now' in change
}

/** The credits of balance row `balance`, locked until the transaction ends; `undefined` without one. */
async function lockedCredits(client: pg.PoolClient, balance: string | null): Promise<KeyCredits | undefined> {
  if (balance === null) return undefined
  const { rows } = await client.query<{ credits: CreditsJson | null }>(
    `SELECT ${balanceJson('b')} AS credits FROM latchkey_api_keys AS b WHERE b.id = $1 FOR NO KEY UPDATE`,
    [balance],
  )
  return creditsOf(rows[0]?.credits ?? null)
}
