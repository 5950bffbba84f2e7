import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisFailureLimiter, redisFailureLimiter, redisRateLimitCounter } from '../src/index.js'
import { hasRedisServer, REDIS_SERVER, type RedisServer, startRedisServer } from './redis-server.js'
import { freshPrefix } from './settle.js'

if (!hasRedisServer)
  console.warn(`Skipping the Redis failure limiter tests: ${REDIS_SERVER} is missing (apt-get install redis-server).`)

describe.skipIf(!hasRedisServer)('redisFailureLimiter on a real redis-server', () => {
  let server: RedisServer
  let first: RedisFailureLimiter
  let second: RedisFailureLimiter

  beforeAll(async () => {
    server = await startRedisServer()
    first = redisFailureLimiter({ url: server.url, timeout: 300 })
    second = redisFailureLimiter({ url: server.url, timeout: 300 })
  })

  afterAll(async () => {
    await first?.close()
    await second?.close()
    await server?.stop()
  })

  it('shares failure counts and blocks between two instances', async () => {
    const options = { keyPrefix: freshPrefix('fail'), points: 3, duration: 60 }
    const [a, b] = [first(options), second(options)]
    await a.penalty('203.0.113.7')
    await b.penalty('203.0.113.7')
    expect((await a.get('203.0.113.7'))?.consumedPoints).toBe(2)
    await b.block('203.0.113.7', 30)
    const blocked = await a.get('203.0.113.7')
    expect(blocked?.consumedPoints).toBeGreaterThan(3)
    expect(blocked?.msBeforeNext).toBeGreaterThan(29_000)
    expect(await a.delete('203.0.113.7')).toBe(true)
    expect(await b.get('203.0.113.7')).toBeNull()
  })

  it('shares one connection with the rate-limit counters when given their client', async () => {
    const counter = redisRateLimitCounter({ url: server.url })
    const limiter = redisFailureLimiter({ client: counter.client })
    try {
      const options = { keyPrefix: freshPrefix('shared'), points: 3, duration: 60 }
      await limiter(options).penalty('key_x')
      expect((await first(options).get('key_x'))?.consumedPoints).toBe(1)
      expect(limiter.client).toBe(counter.client)
    } finally {
      await limiter.close()
      expect(counter.client.status).toBe('ready')
      await counter.close()
    }
  })

  it('counts in memory while Redis is down, promptly, and shares counts again once it is back', async () => {
    const options = { keyPrefix: freshPrefix('insured'), points: 3, duration: 60 }
    const limiter = first(options)
    await server.stop()
    const started = performance.now()
    await limiter.penalty('198.51.100.1')
    await limiter.penalty('198.51.100.1')
    expect((await limiter.get('198.51.100.1'))?.consumedPoints).toBe(2)
    expect(performance.now() - started).toBeLessThan(300)
    await server.start()
    const deadline = Date.now() + 5_000
    while (first.client.status !== 'ready' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    await limiter.penalty('198.51.100.2')
    expect((await second(options).get('198.51.100.2'))?.consumedPoints).toBe(1)
  }, 20_000)
})
