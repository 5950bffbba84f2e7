import type { UsageCount, UsageFilter, UsageOutcome, UsageRow } from '@latchkey/verifier'
import type { Database, Statement } from 'better-sqlite3'
import { withBusyTimeout } from './busy-timeout.js'

/** A row of `usage_counts`. */
interface UsageCountRow {
  key_id: string
  account_id: string
  hour: number
  outcome: string
  count: number
}

const usageColumns = 'key_id, account_id, hour, outcome, count'

/** The queries on `usage_counts`, prepared once on the store's connection. */
export class UsageQueries {
  readonly #db: Database
  readonly #record: (counts: readonly UsageCount[], retainFrom: Date) => void
  readonly #listOfKey: Statement<[string, number], UsageCountRow>
  readonly #listOfAccount: Statement<[string, number], UsageCountRow>

  constructor(db: Database) {
    this.#db = db
    // The SELECT finds the key's account and yields no row for an unknown key, which skips it; the
    // upsert adds to a count already there (SQLite needs the SELECT's WHERE before ON CONFLICT).
    const add = db.prepare<{ key_id: string; hour: number; outcome: string; count: number }>(
      `INSERT INTO usage_counts (${usageColumns})
       SELECT id, account_id, @hour, @outcome, @count FROM api_keys WHERE id = @key_id
       ON CONFLICT (key_id, hour, outcome) DO UPDATE SET count = count + excluded.count`,
    )
    const forget = db.prepare<[number]>('DELETE FROM usage_counts WHERE hour < ?')
    this.#record = db.transaction((counts: readonly UsageCount[], retainFrom: Date): void => {
      for (const { keyId, hour, outcome, count } of counts) {
        add.run({ key_id: keyId, hour: hour.getTime(), outcome, count })
      }
      forget.run(retainFrom.getTime())
    }).immediate
    // Outcomes order as their text does (code points), as in every store.
    this.#listOfKey = db.prepare<[string, number], UsageCountRow>(
      `SELECT ${usageColumns} FROM usage_counts WHERE key_id = ? AND hour >= ? ORDER BY hour, outcome`,
    )
    this.#listOfAccount = db.prepare<[string, number], UsageCountRow>(
      `SELECT ${usageColumns} FROM usage_counts WHERE account_id = ? AND hour >= ?
       ORDER BY hour, key_id, outcome`,
    )
  }

  /** Adds `counts` and forgets those before `retainFrom`, in one transaction that waits 50 ms at most for the write lock. */
  record(counts: readonly UsageCount[], retainFrom: Date): void {
    withBusyTimeout(this.#db, 50, () => this.#record(counts, retainFrom))
  }

  list(filter: UsageFilter): UsageRow[] {
    const since = filter.since.getTime()
    const rows =
      'keyId' in filter ? this.#listOfKey.all(filter.keyId, since) : this.#listOfAccount.all(filter.accountId, since)
    return rows.map(rowToUsage)
  }
}

function rowToUsage(row: UsageCountRow): UsageRow {
  return {
    keyId: row.key_id,
    accountId: row.account_id,
    hour: new Date(row.hour),
    outcome: row.outcome as UsageOutcome,
    count: row.count,
  }
}
