import { afterAll, beforeAll, describe, it } from 'vitest'
import { basic, cliCreateKey, ISSUER, makeTempDir, removeTempDir, type ServerProcess, spawnServer } from './harness.js'
import { expectUniform, TimingProbe, unknownIdCases, wrongAt } from './timing-probe.js'

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
})
