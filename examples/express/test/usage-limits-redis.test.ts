import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createKeyManager, type KeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  hasRedisServer,
  REDIS_SERVER,
  type RedisServer,
  startRedisServer,
} from '../../../packages/redis/test/redis-server.js'
import { basic, cli, getTest, type ServerProcess, sleep, type TestKey } from './harness.js'
import { burst, createLimitedKey, spawnLimitedInstances } from './limited-instances.js'
import { openPostgresKeyStore, type PostgresCluster, type PostgresKeyStore, startPostgres } from './postgres.js'

if (!hasRedisServer)
  console.warn(`Skipping the example API's Redis tests: ${REDIS_SERVER} is missing (apt-get install redis-server).`)

/** The Redis keys the rate-limit windows are in (the counters' default prefix). */
async function windowKeys(redis: RedisServer): Promise<string[]> {
  const cli = REDIS_SERVER.replace(/redis-server$/, 'redis-cli')
  const { stdout } = await promisify(execFile)(cli, ['-p', String(redis.port), '--scan', '--pattern', 'latchkey:rl:*'])
  return stdout.split('\n').filter(Boolean)
}

describe.skipIf(!hasRedisServer)('Two example-API processes with their rate-limit windows in Redis', () => {
  let cluster: PostgresCluster
  let redis: RedisServer
  let instances: ServerProcess[] = []
  let urls: string[] = []
  let store: PostgresKeyStore
  let manager: KeyManager

  beforeAll(async () => {
    cluster = await startPostgres()
    redis = await startRedisServer()
    const databaseUrl = await cluster.createDatabase('usage_limits_redis')
    await cli(['accounts', 'list'], databaseUrl)
    instances = await spawnLimitedInstances(databaseUrl, 2, { LATCHKEY_REDIS_URL: redis.url })
    urls = instances.map((instance) => instance.url)
    store = await openPostgresKeyStore(databaseUrl)
    manager = createKeyManager(store)
  })

  afterAll(async () => {
    // Stopped cleanly (SIGTERM) with Redis up or down: each closes its Redis client and exits 0.
    const codes = await Promise.all(instances.map((instance) => instance.stop()))
    await store?.close()
    await redis?.stop()
    await cluster?.destroy()
    expect(codes).toEqual(instances.map(() => 0))
  })

  it('serves a 20/60s key at most 20 times in total across both, counting in Redis', async () => {
    const key = await createLimitedKey(manager, { rateLimits: [{ count: 20, window: 60 }] })
    expect(await windowKeys(redis)).toEqual([])
    expect(await burst(urls, key, 100)).toEqual({ '200': 20, '429 rate_limited': 80 })
    expect(await burst(urls, key, 4)).toEqual({ '429 rate_limited': 4 })
    expect((await windowKeys(redis)).some((name) => name.includes(key.id))).toBe(true)
  })

  /** The statuses of a Basic request with `key` to each instance. */
  async function statuses(key: TestKey): Promise<number[]> {
    const answers = await Promise.all(urls.map((url) => getTest(url, basic(key.id, key.secret))))
    return answers.map((answer) => answer.status)
  }

  it('answers 503 for a limited key while Redis is down, 200 for an unlimited one, and heals without a restart', async () => {
    const limited = await createLimitedKey(manager, { rateLimits: [{ count: 1000, window: 60 }] })
    const unlimited = await createLimitedKey(manager)
    expect(await statuses(limited)).toEqual([200, 200])
    expect(await statuses(unlimited)).toEqual([200, 200])

    await redis.stop()
    // Right after the stop, and again once the clients are between reconnection attempts.
    for (const wait of [0, 500]) {
      await sleep(wait)
      const [limitedAnswer, unlimitedAnswers] = await Promise.all([
        getTest(urls[0] ?? '', basic(limited.id, limited.secret)),
        statuses(unlimited),
      ])
      expect(limitedAnswer.status).toBe(503)
      expect(limitedAnswer.headers['retry-after']).toBe('1')
      expect(await statuses(limited)).toEqual([503, 503])
      expect(unlimitedAnswers).toEqual([200, 200])
    }

    // Back on the same port, empty: both instances reconnect by themselves (backoff at most 2 s).
    await redis.start()
    const started = performance.now()
    let answers = await statuses(limited)
    while (!answers.every((status) => status === 200) && performance.now() - started < 8000) {
      expect(answers.every((status) => status === 200 || status === 503)).toBe(true)
      await sleep(100)
      answers = await statuses(limited)
    }
    expect(answers).toEqual([200, 200])
    console.log(`limited key served again ${(performance.now() - started).toFixed(0)} ms after Redis restarted`)
    expect(await statuses(unlimited)).toEqual([200, 200])
  })
})
