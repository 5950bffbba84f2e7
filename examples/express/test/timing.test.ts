import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { hashSecret } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, describe, it } from 'vitest'
import {
  basic,
  cliCreateKey,
  ISSUER,
  makeTempDir,
  removeTempDir,
  type ServerProcess,
  spawnServer,
  wrongAt,
} from './harness.js'
import { expectUniform, TimingProbe, unknownIdCases } from './timing-probe.js'

/** A Stormpath-shaped key brought in with `keys import`: 25 characters of [0-9A-Z], a base64 secret. */
const imported = { id: '3QN9B7ZK1VXH8T2M5RCJ0YW4E', secret: 'k/3Jh+DOL7qBM7X2fE9dyhJ+2eaZ7GH6B0ZQx0W4Gl8' }
let expired: { id: string; secret: string }

/**
 * Timing uniformity against the real server process on SQLite; the method and thresholds are in
 * timing-probe.ts. Run the long variant with
 * `LATCHKEY_TIMING=long pnpm vitest run examples/express/test/timing.test.ts`.
 */
let dir: string
let server: ServerProcess
let key: { id: string; secret: string }
const probe = new TimingProbe(() => server.url)

beforeAll(async () => {
  dir = makeTempDir()
  const databaseUrl = `sqlite:${dir}/latchkey.db`
  key = await cliCreateKey(databaseUrl, dir, 'read')
  expired = await cliCreateKey(databaseUrl, dir, 'read', 'expired.properties')
  // Straight through the store: the management API refuses an expiry in the past.
  const store = openSqliteKeyStore(`${dir}/latchkey.db`)
  const record = store.getApiKey(key.id)
  if (!record) throw new Error('the key just created is missing')
  store.insertApiKey({ ...record, id: imported.id, secretHash: hashSecret(imported.secret), createdAt: new Date() })
  store.updateApiKey(expired.id, { expiresAt: new Date(Date.now() - 1000) })
  store.close()
  // Thousands of wrong secrets from one address: throttling stays in the measured path but never blocks.
  server = await spawnServer(databaseUrl, ISSUER, { LATCHKEY_FAILURE_LIMIT: '1000000' })
}, 60_000)

afterAll(async () => {
  probe.close()
  await server?.stop()
  if (dir) removeTempDir(dir)
})

describe('timing uniformity over loopback', () => {
  unknownIdCases(probe, () => key)

  it('answers a secret wrong in its first and in its last character in equal time', async () => {
    const samples = await probe.measure({
      first: { path: '/api/test', method: 'GET', headers: { authorization: basic(key.id, wrongAt(key.secret, 9)) } },
      last: { path: '/api/test', method: 'GET', headers: { authorization: basic(key.id, wrongAt(key.secret, -1)) } },
    })
    expectUniform(samples, 'first', 'last')
  }, 600_000)

  // Both refuse after the same lookup and hash as a wrong secret of a live key. With the imported
  // secret's `+` and `/`, the token endpoint checks the raw and the form-decoded reading, for any id.
  describe('an imported key (Stormpath-shaped)', () => {
    unknownIdCases(probe, () => imported, ' (imported)')
  })

  describe('an expired key', () => {
    unknownIdCases(probe, () => expired, ' (expired)')
  })
})
