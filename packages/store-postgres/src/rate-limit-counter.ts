import type { RateLimitCount, RateLimitCounterFactory } from '@latchkey/verifier'
import type pg from 'pg'
import { RateLimiterPostgres } from 'rate-limiter-flexible'
import { COUNTER_TABLE, type CounterTable } from './counter-table.js'

/**
 * Rate-limit counters on `pool`: `RateLimiterPostgres` in the shared counter table, one key prefix
 * per policy (the verifier's), so that every instance on this database counts in the same windows.
 * Unlike the failure throttle's, they have no in-memory fallback: a counter that cannot count
 * rejects with an `Error`, and the verifier answers 503 for limited keys (fail closed). A count
 * taking longer than `timeout` ms (an unreachable or overloaded server) rejects too, so that the
 * answer comes promptly; a count that still lands afterwards only counts against the key.
 */
export function postgresRateLimitCounter(pool: pg.Pool, table: CounterTable, timeout: number): RateLimitCounterFactory {
  return ({ keyPrefix, points, duration }) => {
    const limiter = new RateLimiterPostgres({
      keyPrefix,
      points,
      duration,
      storeClient: pool,
      storeType: 'pool',
      tableName: COUNTER_TABLE,
      tableCreated: true,
      clearExpiredByTimeout: table.claimSweep(),
    })
    return {
      consume: (key, count = 1) =>
        bounded(
          table.ready().then(() => limiter.consume(key, count)),
          timeout,
        ),
    }
  }
}

function bounded(count: Promise<RateLimitCount>, timeout: number): Promise<RateLimitCount> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`The Postgres rate-limit counter did not answer within ${timeout} ms; check the database.`)),
      timeout,
    )
  })
  return Promise.race([count, late]).finally(() => clearTimeout(timer))
}
