import type pg from 'pg'

/**
 * The one table every counter of every instance lives in, one row per counted key: the failure
 * throttle's and the rate limits' (their key prefixes keep them apart).
 */
export const COUNTER_TABLE = 'latchkey_failure_counters'

/**
 * rate-limiter-flexible's own layout, created here rather than by a schema migration: the counts are
 * disposable (losing them only restarts throttling and windows), and the table is made on first use
 * by whichever instance gets there first.
 */
const createTable = `CREATE TABLE IF NOT EXISTS ${COUNTER_TABLE} (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
)`

/** The counter table of one store's pool: made once, and swept of expired rows by one limiter. */
export interface CounterTable {
  /** Resolves once the table exists; rejects with the driver's error when it cannot be made (tried again next time). */
  ready(): Promise<void>
  /**
   * `true` the first time only: rate-limiter-flexible sweeps expired rows every 5 minutes (unref'd)
   * per limiter that asks, and one sweep per store is enough for the shared table.
   */
  claimSweep(): boolean
}

export function counterTable(pool: pg.Pool): CounterTable {
  let table: Promise<void> | undefined
  let swept = false
  return {
    ready() {
      table ??= pool.query(createTable).then(
        () => undefined,
        (error: { code?: string }) => {
          // Two instances creating the table at once: one of them gets a unique violation on pg_type.
          if (error.code === '23505' || error.code === '42P07') return
          table = undefined
          throw error
        },
      )
      return table
    },
    claimSweep() {
      const first = !swept
      swept = true
      return first
    },
  }
}
