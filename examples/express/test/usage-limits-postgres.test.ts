import { createKeyManager, type KeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli, type ServerProcess } from './harness.js'
import { burst, createLimitedKey, spawnLimitedInstances } from './limited-instances.js'
import { openPostgresKeyStore, type PostgresCluster, type PostgresKeyStore, startPostgres } from './postgres.js'

describe('Usage limits across two example-API processes on one Postgres database', () => {
  let cluster: PostgresCluster
  let instances: ServerProcess[] = []
  let urls: string[] = []
  let store: PostgresKeyStore
  let manager: KeyManager

  beforeAll(async () => {
    cluster = await startPostgres()
    const databaseUrl = await cluster.createDatabase('usage_limits')
    // The CLI creates the schema first, as an operator would before deploying.
    await cli(['accounts', 'list'], databaseUrl)
    instances = await spawnLimitedInstances(databaseUrl, 2)
    urls = instances.map((instance) => instance.url)
    store = await openPostgresKeyStore(databaseUrl)
    manager = createKeyManager(store)
  })

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()))
    await store?.close()
    await cluster?.destroy()
  })

  it('serves a key with 50 credits exactly 50 times out of 200 concurrent requests split across both', async () => {
    const key = await createLimitedKey(manager, { credits: 50 })
    expect(await burst(urls, key, 200)).toEqual({ '200': 50, '429 credits_exhausted': 150 })
    expect((await manager.getApiKey(key.id)).credits?.remaining).toBe(0)
  })

  it('serves a 20/60s key at most 20 times in total across both, its windows in Postgres', async () => {
    const key = await createLimitedKey(manager, { rateLimits: [{ count: 20, window: 60 }] })
    const tally = await burst(urls, key, 100)
    // The windows are shared and counted atomically: exactly the limit, never one more.
    expect(tally).toEqual({ '200': 20, '429 rate_limited': 80 })
    // Sequential requests to either instance after the burst are refused too.
    expect(await burst(urls, key, 4)).toEqual({ '429 rate_limited': 4 })
  })
})
