import { isRateLimit } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { withSameProcessBaselines } from '../src/same-process-baselines.js'
import type { Credentials, Scenario } from '../src/scenario.js'
import { scenarios } from '../src/scenarios.js'
import { basicOf } from '../src/usage-limits/basic-header.js'
import { limitStoreScenarios, limitsRunIds, sqliteLimitRows } from '../src/usage-limits/limit-store-scenarios.js'
import { benchRateLimit } from '../src/usage-limits/limited-keys.js'
import { parseChildren, parseParent } from '../src/usage-limits/process-tree.js'
import { redisArgs } from '../src/usage-limits/redis-process.js'

const limitedKeys = {
  accountId: 'account',
  rateLimited: { keyId: 'limited', secret: 'limited-secret' },
  credits: { keyId: 'metered', secret: 'metered-secret' },
}
const credentials: Credentials = {
  keyId: 'id',
  secret: 'secret',
  wrongSecret: 'wrong',
  token: 'token',
  forgedToken: 'forged',
  opaqueToken: 'opaque',
  limitedKeys,
}
const postgres = {
  url: 'postgres://postgres@127.0.0.1:5432/latchkey_bench',
  unlimited: { keyId: 'pg-id', secret: 'pg-secret' },
  limitedKeys: {
    accountId: 'pg-account',
    rateLimited: { keyId: 'pg-limited', secret: 'pg-limited-secret' },
    credits: { keyId: 'pg-metered', secret: 'pg-metered-secret' },
  },
}
const redis = { url: 'redis://127.0.0.1:6379' }
const find = (all: readonly Scenario[], id: string): Scenario | undefined => all.find((scenario) => scenario.id === id)

describe('the usage-limit rows of the default run', () => {
  const all = withSameProcessBaselines(scenarios(credentials))

  it('sends the rate-limited key in the process of latchkey-basic, judged ≥ 0.90 × its no-auth route', () => {
    expect(find(all, 'latchkey-basic-rate-limited')).toMatchObject({
      server: 'latchkey-express',
      request: { method: 'GET', path: '/hello', headers: { authorization: basicOf(limitedKeys.rateLimited) } },
      expectedStatus: 200,
      answerHeader: 'ratelimit',
      sameProcess: 'express-get@latchkey-express',
      targets: [{ against: 'express-get', atLeast: 0.9 }],
    })
    expect(find(all, 'latchkey-basic')?.sameProcess).toBe('express-get@latchkey-express')
  })

  it('sends the metered key with no target', () => {
    const row = find(all, 'latchkey-basic-credits')
    expect(row?.request.headers?.authorization).toBe(basicOf(limitedKeys.credits))
    expect(row?.sameProcess).toBe('express-get@latchkey-express')
    expect(row?.targets).toBeUndefined()
  })

  it('limits the key with a valid limit that a run cannot reach', () => {
    expect(isRateLimit(benchRateLimit)).toBe(true)
    // A full run is under 15 minutes: at 100,000 requests a second it counts 100,000 in one window.
    expect(benchRateLimit.count / benchRateLimit.window).toBeGreaterThan(100_000)
  })

  it('keeps the key of latchkey-basic apart from the limited keys', () => {
    const keys = ['latchkey-basic', 'latchkey-basic-rate-limited', 'latchkey-basic-credits'].map(
      (id) => find(all, id)?.request.headers?.authorization,
    )
    expect(new Set(keys).size).toBe(3)
  })
})

describe('limitStoreScenarios', () => {
  it('gives each store its rows, each against its own process’s no-auth route', () => {
    const rows = limitStoreScenarios({ postgres, redis }, credentials)
    const all = withSameProcessBaselines([...scenarios(credentials), ...rows])
    expect(rows.map((row) => row.id)).toEqual([
      'postgres-basic',
      'postgres-basic-credits',
      'postgres-basic-rate-limited',
      'redis-basic',
      'redis-basic-rate-limited',
    ])
    for (const row of rows) {
      expect(find(all, row.id)?.sameProcess).toBe(`express-get@${row.server}`)
      expect(find(all, `express-get@${row.server}`)?.request.path).toBe('/no-auth/hello')
    }
    expect(find(all, 'postgres-basic-credits')?.request.headers?.authorization).toBe(
      basicOf(postgres.limitedKeys.credits),
    )
    // Redis counts the windows of the SQLite store's keys: the same rate-limited key as in memory.
    expect(find(all, 'redis-basic-rate-limited')).toMatchObject({
      server: 'latchkey-express-redis',
      answerHeader: 'ratelimit',
      request: { headers: { authorization: basicOf(limitedKeys.rateLimited) } },
    })
  })

  it('leaves out the rows of a store that did not start', () => {
    expect(limitStoreScenarios({ redis }, credentials).map((row) => row.server)).toEqual([
      'latchkey-express-redis',
      'latchkey-express-redis',
    ])
    expect(limitStoreScenarios({}, credentials)).toEqual([])
  })

  it('measures the SQLite and in-memory rows beside them when no --only is given', () => {
    const rows = limitStoreScenarios({ postgres }, credentials)
    expect(limitsRunIds(rows)).toEqual([...sqliteLimitRows, ...rows.map((row) => row.id)])
    const ids = new Set(scenarios(credentials).map((scenario) => scenario.id))
    for (const id of sqliteLimitRows) expect(ids.has(id)).toBe(true)
  })
})

describe('the limit stores’ processes', () => {
  it('starts redis-server on loopback, keeping nothing on disk', () => {
    expect(redisArgs(6390)).toEqual(['--save', '', '--appendonly', 'no', '--port', '6390', '--bind', '127.0.0.1'])
  })

  it('reads the parent pid after a process name holding spaces and parentheses', () => {
    expect(parseParent('4242 (postgres: a (b) c) S 4100 4242 4242 0 -1')).toBe(4100)
    expect(parseParent('1 (init) S 0 1 1')).toBeUndefined()
  })

  it('reads the children list of /proc', () => {
    expect(parseChildren('14181 14190 ')).toEqual([14181, 14190])
    expect(parseChildren('')).toEqual([])
  })

  it('reads --limits', () => {
    expect(readConfig(['--limits', '--no-micro'], {})).toMatchObject({ limits: true, micro: false })
    expect(readConfig([], {}).limits).toBe(false)
  })
})
