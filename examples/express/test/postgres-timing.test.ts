import { createKeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, describe } from 'vitest'
import { cli, createKey, type ServerProcess, spawnServer, type TestKey } from './harness.js'
import { CLUSTER_ISSUER, openPostgresKeyStore, type PostgresCluster, startPostgres } from './postgres.js'
import { TimingProbe, unknownIdCases } from './timing-probe.js'

/**
 * The Basic and token-endpoint cases of timing.test.ts, against an instance on Postgres: an unknown
 * id and a known id with a wrong secret take the same time, since both are remembered after the
 * warm-up (found keys and absent ids share the key-status cache). Misses are checked by counting
 * reads in packages/store-postgres/test/verifier-lookups.test.ts. Method and thresholds: timing-probe.ts.
 */
let cluster: PostgresCluster
let server: ServerProcess
let key: TestKey
const probe = new TimingProbe(() => server.url)

beforeAll(async () => {
  cluster = await startPostgres()
  const databaseUrl = await cluster.createDatabase('timing')
  await cli(['accounts', 'list'], databaseUrl)
  const store = await openPostgresKeyStore(databaseUrl)
  key = await createKey(createKeyManager(store))
  await store.close()
  // Thousands of wrong secrets from one address: throttling stays in the measured path but never blocks.
  server = await spawnServer(databaseUrl, CLUSTER_ISSUER, { LATCHKEY_FAILURE_LIMIT: '1000000' })
}, 60_000)

afterAll(async () => {
  probe.close()
  await server?.stop()
  await cluster?.destroy()
})

describe('timing uniformity over loopback, on Postgres', () => {
  unknownIdCases(probe, () => key, ' on Postgres')
})
