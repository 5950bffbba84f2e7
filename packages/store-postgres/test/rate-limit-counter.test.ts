import { createServer, type Server, type Socket } from 'node:net'
import type { RateLimitCount } from '@latchkey/verifier'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresKeyStore, PostgresKeyStore } from '../src/index.js'
import { openSession, type PostgresCluster, startPostgres } from './postgres-cluster.js'

/** Rate-limit windows in Postgres: shared by every instance on the database, failing closed and promptly. */
let cluster: PostgresCluster
let url: string
beforeAll(async () => {
  cluster = await startPostgres()
  url = await cluster.createDatabase('rate_limit_counter')
})
afterAll(async () => {
  await cluster?.destroy()
})

const stores: PostgresKeyStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()))
})
async function open(options?: ConstructorParameters<typeof PostgresKeyStore>[1]): Promise<PostgresKeyStore> {
  const store = await openPostgresKeyStore(url, options)
  stores.push(store)
  return store
}

/** What a consume settled with: the count, the over-limit count it rejected with, or the Error. */
async function settle(count: Promise<RateLimitCount>): Promise<{ ok: RateLimitCount } | { over: unknown } | Error> {
  try {
    return { ok: await count }
  } catch (error) {
    return error instanceof Error ? error : { over: error }
  }
}

describe('Rate-limit counters on the Postgres store', () => {
  it('counts the consumes of two instances in one window, rejecting the sixth of 5 with the count', async () => {
    const [one, two] = [await open(), await open()]
    const policy = { keyPrefix: 'latchkey-rate-5-60', points: 5, duration: 60 }
    const [first, second] = [one.createRateLimitCounter(policy), two.createRateLimitCounter(policy)]
    const results = []
    for (let index = 0; index < 6; index++)
      results.push(await settle((index % 2 === 0 ? first : second).consume('lk_a')))
    expect(results.slice(0, 5).map((result) => 'ok' in result && result.ok.remainingPoints)).toEqual([4, 3, 2, 1, 0])
    const over = results[5]
    expect(over).not.toBeInstanceOf(Error)
    expect(over && 'over' in over && over.over).toMatchObject({ consumedPoints: 6, remainingPoints: 0 })
    const { msBeforeNext } = (over as { over: RateLimitCount }).over
    expect(msBeforeNext).toBeGreaterThan(55_000)
    expect(msBeforeNext).toBeLessThanOrEqual(60_000)
    // Another key, and the same key under another policy, count apart.
    expect(await settle(first.consume('lk_b'))).toMatchObject({ ok: { consumedPoints: 1 } })
    const other = one.createRateLimitCounter({ keyPrefix: 'latchkey-rate-10-60', points: 10, duration: 60 })
    expect(await settle(other.consume('lk_a'))).toMatchObject({ ok: { consumedPoints: 1 } })
    // In the failure throttle's table, under the policy's prefix.
    const session = await openSession(url)
    try {
      const rows = await session.query(
        "SELECT key, points FROM latchkey_failure_counters WHERE key LIKE 'latchkey-rate-%'",
      )
      expect(rows).toEqual(
        expect.arrayContaining([
          { key: 'latchkey-rate-5-60:lk_a', points: 6 },
          { key: 'latchkey-rate-5-60:lk_b', points: 1 },
          { key: 'latchkey-rate-10-60:lk_a', points: 1 },
        ]),
      )
    } finally {
      await session.end()
    }
  })

  it('rejects with an Error within two seconds while the server is stopped, and counts again once it is back', async () => {
    const store = await open()
    const counter = store.createRateLimitCounter({ keyPrefix: 'latchkey-rate-3-60', points: 3, duration: 60 })
    expect(await settle(counter.consume('lk_a'))).toMatchObject({ ok: { consumedPoints: 1 } })
    await cluster.stop()
    try {
      const started = performance.now()
      const result = await settle(counter.consume('lk_a'))
      expect(result).toBeInstanceOf(Error)
      expect(performance.now() - started).toBeLessThan(2000)
    } finally {
      await cluster.start()
    }
    // Heals without a new store: the pool opens a new connection.
    expect(await settle(counter.consume('lk_a'))).toMatchObject({ ok: { consumedPoints: 2 } })
  })

  it('rejects with an Error after counterTimeout when the server accepts but never answers', async () => {
    const sockets = new Set<Socket>()
    const silent: Server = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    const store = new PostgresKeyStore(`postgres://postgres@127.0.0.1:${port}/latchkey`, { counterTimeout: 300 })
    try {
      const counter = store.createRateLimitCounter({ keyPrefix: 'latchkey-rate-3-60', points: 3, duration: 60 })
      const started = performance.now()
      const result = await settle(counter.consume('lk_a'))
      expect(result).toBeInstanceOf(Error)
      expect((result as Error).message).toMatch(/did not answer within 300 ms/)
      expect(performance.now() - started).toBeLessThan(1000)
    } finally {
      for (const socket of sockets) socket.destroy()
      await store.close()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})
