import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisRateLimitCounter, redisRateLimitCounter } from '../src/index.js'
import { hasRedisServer, REDIS_SERVER, type RedisServer, startRedisServer } from './redis-server.js'
import { freshPrefix, settle } from './settle.js'

if (!hasRedisServer)
  console.warn(`Skipping the Redis counter tests: ${REDIS_SERVER} is missing (apt-get install redis-server).`)

describe.skipIf(!hasRedisServer)('redisRateLimitCounter on a real redis-server', () => {
  let server: RedisServer
  let callersClient: Redis
  /** Two instances: one with a client of its own (url), one on its caller's client. */
  let first: RedisRateLimitCounter
  let second: RedisRateLimitCounter

  beforeAll(async () => {
    server = await startRedisServer()
    callersClient = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 })
    first = redisRateLimitCounter({ url: server.url, timeout: 500 })
    second = redisRateLimitCounter({ client: callersClient, timeout: 500 })
  })

  afterAll(async () => {
    await first?.close()
    await second?.close()
    await callersClient?.quit()
    await server?.stop()
  })

  it('allows exactly 5 requests of a 5-per-10s policy across two instances with their own clients', async () => {
    const policy = { keyPrefix: freshPrefix('five'), points: 5, duration: 10 }
    const counters = [first(policy), second(policy)]
    const outcomes = []
    for (let i = 0; i < 12; i++) outcomes.push(await settle(counters[i % 2] as (typeof counters)[0], 'key_a'))
    expect(outcomes.map((outcome) => outcome.kind)).toEqual([...Array(5).fill('allowed'), ...Array(7).fill('over')])
    const allowed = outcomes.flatMap((outcome) => (outcome.kind === 'allowed' ? [outcome.count] : []))
    expect(allowed.map((count) => count.consumedPoints)).toEqual([1, 2, 3, 4, 5])
    expect(allowed.map((count) => count.remainingPoints)).toEqual([4, 3, 2, 1, 0])
    for (const outcome of outcomes.filter((outcome) => outcome.kind === 'over')) {
      expect(outcome.count.remainingPoints).toBe(0)
      expect(outcome.count.msBeforeNext).toBeGreaterThan(0)
      expect(outcome.count.msBeforeNext).toBeLessThanOrEqual(10_000)
    }
  })

  it("allows exactly the policy's count of 200 concurrent requests split across both instances", async () => {
    const policy = { keyPrefix: freshPrefix('burst'), points: 37, duration: 60 }
    const counters = [first(policy), second(policy)]
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => settle(counters[i % 2] as (typeof counters)[0], 'key_b')),
    )
    const allowed = outcomes.flatMap((outcome) => (outcome.kind === 'allowed' ? [outcome.count.consumedPoints] : []))
    expect(outcomes.filter((outcome) => outcome.kind === 'error')).toEqual([])
    expect(allowed.sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, i) => i + 1))
    expect(outcomes.filter((outcome) => outcome.kind === 'over')).toHaveLength(163)
  })

  it('keeps different keys, different policies and different key prefixes apart', async () => {
    const tight = { keyPrefix: freshPrefix('tight'), points: 2, duration: 10 }
    const other = { keyPrefix: freshPrefix('other'), points: 3, duration: 10 }
    const kinds = async (counter: ReturnType<RedisRateLimitCounter>, key: string, n: number) => {
      const result = []
      for (let i = 0; i < n; i++) result.push((await settle(counter, key)).kind)
      return result
    }
    expect(await kinds(first(tight), 'key_c', 3)).toEqual(['allowed', 'allowed', 'over'])
    // Another key on the same policy, on the other instance.
    expect(await kinds(second(tight), 'key_d', 3)).toEqual(['allowed', 'allowed', 'over'])
    // The same key on another policy.
    expect(await kinds(second(other), 'key_c', 4)).toEqual(['allowed', 'allowed', 'allowed', 'over'])
    // The same key and policy under another package key prefix (another deployment on the same server).
    const elsewhere = redisRateLimitCounter({ url: server.url, keyPrefix: 'elsewhere' })
    try {
      expect(await kinds(elsewhere(tight), 'key_c', 3)).toEqual(['allowed', 'allowed', 'over'])
      expect(await callersClient.exists(`elsewhere:${tight.keyPrefix}:key_c`)).toBe(1)
      expect(await callersClient.exists(`latchkey:rl:${tight.keyPrefix}:key_c`)).toBe(1)
    } finally {
      await elsewhere.close()
    }
  })

  it('keeps one key per key and policy, expiring with its window', async () => {
    const policy = { keyPrefix: freshPrefix('ttl'), points: 10, duration: 30 }
    await first(policy).consume('key_e')
    const key = `latchkey:rl:${policy.keyPrefix}:key_e`
    expect(await callersClient.get(key)).toBe('1')
    const ttl = await callersClient.pttl(key)
    expect(ttl).toBeGreaterThan(29_000)
    expect(ttl).toBeLessThanOrEqual(30_000)
  })

  it('counts a cost of several points at once', async () => {
    const policy = { keyPrefix: freshPrefix('cost'), points: 10, duration: 10 }
    const counter = first(policy)
    expect((await counter.consume('key_f', 6)).remainingPoints).toBe(4)
    await expect(counter.consume('key_f', 6)).rejects.toMatchObject({ remainingPoints: 0 })
  })

  it('ends the client it made on close, and leaves a caller-provided client open', async () => {
    const own = redisRateLimitCounter({ url: server.url, timeout: 300 })
    const theirs = redisRateLimitCounter({ client: callersClient, timeout: 300 })
    const policy = { keyPrefix: freshPrefix('close'), points: 5, duration: 10 }
    await own(policy).consume('key_g')
    await own.close()
    await theirs.close()
    expect(own.client.status).toBe('end')
    const after = await settle(own(policy), 'key_g')
    expect(after.kind).toBe('error')
    expect(after.ms).toBeLessThan(300)
    expect(callersClient.status).toBe('ready')
    expect((await theirs(policy).consume('key_g')).consumedPoints).toBe(2)
  })

  it('refuses options it cannot use, without repeating the URL', () => {
    expect(() => redisRateLimitCounter({ url: 'postgres://user:s3cret@db/x' })).toThrow(/redis:\/\/ or rediss:\/\//)
    expect(() => redisRateLimitCounter({ url: 'postgres://user:s3cret@db/x' })).not.toThrow(/s3cret/)
    expect(() => redisRateLimitCounter({ url: server.url, timeout: 0 })).toThrow(RangeError)
  })
})
