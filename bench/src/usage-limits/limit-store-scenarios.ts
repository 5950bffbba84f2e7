import { formatRateLimit } from '@latchkey/verifier'
import type { Credentials, LoadRequest, Scenario } from '../scenario.js'
import { basicOf } from './basic-header.js'
import type { LimitStoreUrls } from './limit-store-urls.js'
import type { BenchKey } from './limited-keys.js'
import { benchCredits, benchRateLimit } from './limited-keys.js'

/** The rows of the default run that `bench:limits` measures again, beside its own: the same keys on SQLite and in memory. */
export const sqliteLimitRows = ['latchkey-basic', 'latchkey-basic-rate-limited', 'latchkey-basic-credits'] as const

const get = (key: BenchKey): LoadRequest => ({
  method: 'GET',
  path: '/hello',
  headers: { authorization: basicOf(key) },
})
const express = { baseline: 'express-get', expectedStatus: 200 } as const
const limit = formatRateLimit(benchRateLimit)

/**
 * The rows of the stores several instances share (`bench:limits`), for the stores that run: Basic on
 * the Postgres store without limits, with credits and with a rate limit counted in Postgres; and Basic
 * on the fixture's SQLite store with a Redis counter, by a key without limits (it never reaches Redis)
 * and by the rate-limited key. No targets: each is judged against its own process's no-auth route
 * and the row without limits beside it.
 */
export function limitStoreScenarios(stores: LimitStoreUrls, credentials: Credentials): Scenario[] {
  const rows: Scenario[] = []
  if (stores.postgres) {
    const { unlimited, limitedKeys } = stores.postgres
    const server = 'latchkey-express-postgres'
    rows.push(
      {
        id: 'postgres-basic',
        label: 'Latchkey Basic (Postgres), no limits',
        server,
        request: get(unlimited),
        ...express,
      },
      {
        id: 'postgres-basic-credits',
        label: `Latchkey Basic, key with ${benchCredits.toLocaleString('en')} credits (Postgres)`,
        server,
        request: get(limitedKeys.credits),
        ...express,
      },
      {
        id: 'postgres-basic-rate-limited',
        label: `Latchkey Basic (Postgres), key rate limit ${limit} (Postgres window)`,
        server,
        request: get(limitedKeys.rateLimited),
        ...express,
        answerHeader: 'ratelimit',
      },
    )
  }
  if (stores.redis) {
    const server = 'latchkey-express-redis'
    rows.push(
      {
        id: 'redis-basic',
        label: 'Latchkey Basic (SQLite), Redis counter, key without limits',
        server,
        request: get({ keyId: credentials.keyId, secret: credentials.secret }),
        ...express,
      },
      {
        id: 'redis-basic-rate-limited',
        label: `Latchkey Basic (SQLite), key rate limit ${limit} (Redis window)`,
        server,
        request: get(credentials.limitedKeys.rateLimited),
        ...express,
        answerHeader: 'ratelimit',
      },
    )
  }
  return rows
}

/** What `bench:limits` measures when no `--only` is given: its own rows and {@link sqliteLimitRows}. */
export function limitsRunIds(rows: readonly Scenario[]): string[] {
  return [...sqliteLimitRows, ...rows.map((row) => row.id)]
}
