import type { FailureLimiter, FailureLimiterFactory } from '@latchkey/verifier'
import type pg from 'pg'
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible'

/** The one table every throttling counter of every instance lives in, one row per counted key. */
export const FAILURE_COUNTER_TABLE = 'latchkey_failure_counters'

/**
 * rate-limiter-flexible's own layout, created here rather than by a schema migration: the counts are
 * disposable (losing them only restarts throttling), and the table is made on first use by whichever
 * instance gets there first.
 */
const createTable = `CREATE TABLE IF NOT EXISTS ${FAILURE_COUNTER_TABLE} (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
)`

/**
 * Failure limiters on `pool` for brute-force throttling: `RateLimiterPostgres`, so that every
 * instance on this database shares each count. While Postgres cannot be reached, each instance counts
 * in its own memory (rate-limiter-flexible's insurance limiter) rather than not at all.
 */
export function postgresFailureLimiter(pool: pg.Pool): FailureLimiterFactory {
  let table: Promise<void> | undefined
  let sweeping = false
  const ready = (): Promise<void> => {
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
  }

  return (options) => {
    const insurance = new RateLimiterMemory({ ...options })
    const shared = new RateLimiterPostgres({
      ...options,
      storeClient: pool,
      storeType: 'pool',
      tableName: FAILURE_COUNTER_TABLE,
      tableCreated: true,
      // One sweep of expired rows (every 5 minutes, unref'd) per store is enough for the shared table.
      clearExpiredByTimeout: !sweeping,
      insuranceLimiter: insurance,
    })
    sweeping = true
    /** Runs `operation` on the shared limiter once the table exists, else on the insurance one. */
    const whenReady = async <T>(operation: (limiter: FailureLimiter) => Promise<T>): Promise<T> => {
      try {
        await ready()
      } catch {
        return operation(insurance)
      }
      return operation(shared)
    }
    return {
      penalty: (key, points = 1) => whenReady((limiter) => limiter.penalty(key, points)),
      get: (key) => whenReady((limiter) => limiter.get(key)),
      block: (key, secDuration) => whenReady((limiter) => limiter.block(key, secDuration)),
      delete: (key) => whenReady((limiter) => limiter.delete(key)),
    }
  }
}
