import type { FailureLimiter, FailureLimiterFactory } from '@latchkey/verifier'
import type pg from 'pg'
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible'
import { COUNTER_TABLE, type CounterTable } from './counter-table.js'

/**
 * Failure limiters on `pool` for brute-force throttling: `RateLimiterPostgres`, so that every
 * instance on this database shares each count. While Postgres cannot be reached, each instance counts
 * in its own memory (rate-limiter-flexible's insurance limiter) rather than not at all.
 */
export function postgresFailureLimiter(pool: pg.Pool, table: CounterTable): FailureLimiterFactory {
  return (options) => {
    const insurance = new RateLimiterMemory({ ...options })
    const shared = new RateLimiterPostgres({
      ...options,
      storeClient: pool,
      storeType: 'pool',
      tableName: COUNTER_TABLE,
      tableCreated: true,
      clearExpiredByTimeout: table.claimSweep(),
      insuranceLimiter: insurance,
    })
    /** Runs `operation` on the shared limiter once the table exists, else on the insurance one. */
    const whenReady = async <T>(operation: (limiter: FailureLimiter) => Promise<T>): Promise<T> => {
      try {
        await table.ready()
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
