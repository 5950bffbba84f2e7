import type { UsageCount, UsageFilter, UsageOutcome, UsageRow } from '@latchkey/verifier'
import type pg from 'pg'

/**
 * Adds `counts` to `latchkey_usage` and forgets the counts of hours before `retainFrom`, in one
 * statement (one round trip per batch). Counts of one (key, hour, outcome) in the batch are summed
 * first, since an upsert may not touch a row twice; rows are written in primary-key order, so two
 * instances flushing overlapping batches wait for each other instead of deadlocking. Unknown keys
 * are dropped by the join, each count is recorded with its key's account, and a count older than
 * `retainFrom` is not written at all. No trigger: usage is never announced.
 */
export async function recordUsage(pool: pg.Pool, counts: readonly UsageCount[], retainFrom: Date): Promise<void> {
  await pool.query(
    `WITH forgotten AS (DELETE FROM latchkey_usage WHERE hour < $5::timestamptz),
          batch AS (
            SELECT c.key_id, k.account_id, c.hour, c.outcome, sum(c.count)::bigint AS count
            FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[]) AS c (key_id, hour, outcome, count)
            JOIN latchkey_api_keys AS k ON k.id = c.key_id
            WHERE c.hour >= $5::timestamptz
            GROUP BY c.key_id, k.account_id, c.hour, c.outcome
          )
     INSERT INTO latchkey_usage AS u (key_id, account_id, hour, outcome, count)
     SELECT key_id, account_id, hour, outcome, count FROM batch ORDER BY key_id, hour, outcome
     ON CONFLICT (key_id, hour, outcome) DO UPDATE SET count = u.count + excluded.count`,
    [
      counts.map((count) => count.keyId),
      counts.map((count) => count.hour),
      counts.map((count) => count.outcome),
      counts.map((count) => count.count),
      retainFrom,
    ],
  )
}

interface UsageTableRow {
  key_id: string
  account_id: string
  hour: Date
  outcome: UsageOutcome
  /** bigint, which `pg` returns as text. */
  count: string
}

/**
 * One key's counts, or one account's, from `filter.since`: by hour, then key id, then outcome, in
 * code-point order (`COLLATE "C"`), as the memory store sorts, whatever the database's collation.
 */
export async function listUsage(pool: pg.Pool, filter: UsageFilter): Promise<UsageRow[]> {
  const [column, value] = 'keyId' in filter ? ['key_id', filter.keyId] : ['account_id', filter.accountId]
  const { rows } = await pool.query<UsageTableRow>(
    `SELECT key_id, account_id, hour, outcome, count FROM latchkey_usage
     WHERE ${column} = $1 AND hour >= $2
     ORDER BY hour, key_id COLLATE "C", outcome COLLATE "C"`,
    [value, filter.since],
  )
  return rows.map((row) => ({
    keyId: row.key_id,
    accountId: row.account_id,
    hour: row.hour,
    outcome: row.outcome,
    count: Number(row.count),
  }))
}
