import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisRateLimitCounter, redisRateLimitCounter } from '../src/index.js'
import { hasRedisServer, REDIS_SERVER, type RedisServer, startRedisServer } from './redis-server.js'
import { freshPrefix, type Outcome, settle } from './settle.js'

if (!hasRedisServer)
  console.warn(`Skipping the Redis outage tests: ${REDIS_SERVER} is missing (apt-get install redis-server).`)

const TIMEOUT = 300
/** What a loaded 2-core CI machine may add to a timer before it fires. */
const SLACK = 150

/** Counts against `key` until a count is allowed (the counter has healed), for at most `ms`. */
async function untilAllowed(counter: ReturnType<RedisRateLimitCounter>, key: string, ms: number): Promise<Outcome> {
  const deadline = Date.now() + ms
  for (;;) {
    const outcome = await settle(counter, key)
    if (outcome.kind !== 'error' || Date.now() > deadline) return outcome
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe.skipIf(!hasRedisServer)('redisRateLimitCounter while Redis is down', () => {
  let server: RedisServer
  let callersClient: Redis
  let own: RedisRateLimitCounter
  let theirs: RedisRateLimitCounter

  beforeAll(async () => {
    server = await startRedisServer()
    callersClient = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })
    callersClient.on('error', () => undefined)
    own = redisRateLimitCounter({ url: server.url, timeout: TIMEOUT })
    theirs = redisRateLimitCounter({ client: callersClient, timeout: TIMEOUT })
  })

  afterAll(async () => {
    await own?.close()
    callersClient?.disconnect()
    await server?.stop()
  })

  it('rejects with an Error within the timeout while the server is stopped, and counts again once it is back', async () => {
    const policy = { keyPrefix: freshPrefix('outage'), points: 5, duration: 10 }
    const counters = [own(policy), theirs(policy)] as const
    for (const counter of counters) expect((await settle(counter, 'key_a')).kind).toBe('allowed')
    await server.stop()
    // Right after the stop, and again once the clients are between reconnection attempts.
    for (const wait of [0, 20, 500]) {
      await new Promise((resolve) => setTimeout(resolve, wait))
      for (const counter of counters) {
        const outcome = await settle(counter, 'key_a')
        expect(outcome.kind).toBe('error')
        expect(outcome.ms).toBeLessThan(TIMEOUT + SLACK)
        if (outcome.kind === 'error') expect(outcome.error.message).toMatch(/Redis .*limited requests are refused/)
      }
    }
    // Many at once while down: all refused, none left hanging.
    const burst = await Promise.all(Array.from({ length: 100 }, () => settle(counters[0], 'key_a')))
    expect(burst.every((outcome) => outcome.kind === 'error' && outcome.ms < TIMEOUT + SLACK)).toBe(true)

    await server.start()
    // The same factories' counters, not new ones: the clients reconnect by themselves (backoff ≤ 2 s).
    for (const counter of counters) {
      const healed = await untilAllowed(counter, 'key_a', 5_000)
      expect(healed.kind).toBe('allowed')
    }
    // The restarted server kept nothing (no persistence), so the window restarted.
    expect((await settle(own(policy), 'key_a')).kind).toBe('allowed')
  }, 20_000)

  it('rejects with an Error within the timeout while the server hangs, and counts again once it answers', async () => {
    const policy = { keyPrefix: freshPrefix('hang'), points: 2, duration: 30 }
    const counter = own(policy)
    expect((await settle(counter, 'key_b')).kind).toBe('allowed')
    expect((await settle(counter, 'key_b')).kind).toBe('allowed')
    expect((await settle(counter, 'key_b')).kind).toBe('over')
    server.pause()
    try {
      const hung = await Promise.all([settle(counter, 'key_c'), settle(theirs(policy), 'key_c')])
      for (const outcome of hung) {
        expect(outcome.kind).toBe('error')
        expect(outcome.ms).toBeGreaterThanOrEqual(TIMEOUT - 5)
        expect(outcome.ms).toBeLessThan(TIMEOUT + SLACK)
      }
      // A key already over its limit is refused from memory until its window ends: no round trip.
      const over = await settle(counter, 'key_b')
      expect(over.kind).toBe('over')
      expect(over.ms).toBeLessThan(50)
    } finally {
      server.resume()
    }
    const healed = await untilAllowed(counter, 'key_d', 5_000)
    expect(healed.kind).toBe('allowed')
  }, 20_000)

  it('rejects promptly when Redis is down from the start, and counts once it comes up', async () => {
    const port = server.port
    await server.stop()
    const late = redisRateLimitCounter({ url: `redis://127.0.0.1:${port}`, timeout: TIMEOUT })
    try {
      const policy = { keyPrefix: freshPrefix('late'), points: 5, duration: 10 }
      const outcome = await settle(late(policy), 'key_e')
      expect(outcome.kind).toBe('error')
      expect(outcome.ms).toBeLessThan(TIMEOUT + SLACK)
      await server.start()
      expect((await untilAllowed(late(policy), 'key_e', 5_000)).kind).toBe('allowed')
    } finally {
      await late.close()
    }
  }, 20_000)

  it('closes at once between reconnection attempts, and refuses counts from then on', async () => {
    const port = server.port
    await server.stop()
    const closing = redisRateLimitCounter({ url: `redis://127.0.0.1:${port}`, timeout: TIMEOUT })
    try {
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(closing.client.status).toBe('reconnecting')
      const started = performance.now()
      await closing.close()
      expect(performance.now() - started).toBeLessThan(50)
      await server.start()
      await new Promise((resolve) => setTimeout(resolve, 300))
      const outcome = await settle(closing({ keyPrefix: freshPrefix('closed'), points: 5, duration: 10 }), 'key_g')
      expect(outcome.kind === 'error' && outcome.error.message).toMatch(/were closed/)
      expect(closing.client.status).not.toBe('ready')
    } finally {
      await closing.close()
    }
  }, 20_000)

  it('waits for a connection being made instead of refusing the first requests', async () => {
    const fresh = redisRateLimitCounter({ url: server.url, timeout: TIMEOUT })
    try {
      expect(fresh.client.status).not.toBe('ready')
      const policy = { keyPrefix: freshPrefix('first'), points: 5, duration: 10 }
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => settle(fresh(policy), 'key_f')))
      expect(outcomes.filter((outcome) => outcome.kind === 'allowed')).toHaveLength(5)
      expect(outcomes.filter((outcome) => outcome.kind === 'over')).toHaveLength(15)
    } finally {
      await fresh.close()
    }
  })
})
