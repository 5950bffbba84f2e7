import { afterAll, beforeAll, describe, it } from 'vitest'
import { basic, cliCreateKey, ISSUER, makeTempDir, removeTempDir, type ServerProcess, spawnServer } from './harness.js'
import { expectUniform, perClass, TimingProbe, unknownId, wrongAt } from './timing-probe.js'

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

const form = 'application/x-www-form-urlencoded'

describe('timing uniformity over loopback', () => {
  it(`answers an unknown id and a known id with a wrong secret in equal time, with Basic (${perClass} a class)`, async () => {
    const wrong = wrongAt(key.secret, -1)
    const samples = await probe.measure({
      unknown: { path: '/api/test', method: 'GET', headers: { authorization: basic(unknownId, wrong) } },
      wrong: { path: '/api/test', method: 'GET', headers: { authorization: basic(key.id, wrong) } },
    })
    expectUniform(samples, 'unknown', 'wrong')
  }, 600_000)

  it('answers an unknown id and a known id with a wrong secret in equal time, at the token endpoint', async () => {
    const wrong = wrongAt(key.secret, -1)
    const request = (id: string) => ({
      path: '/oauth/token',
      method: 'POST' as const,
      headers: { authorization: basic(id, wrong), 'content-type': form },
      body: 'grant_type=client_credentials',
    })
    const samples = await probe.measure({ unknown: request(unknownId), wrong: request(key.id) })
    expectUniform(samples, 'unknown', 'wrong')
  }, 600_000)

  it('answers a secret wrong in its first and in its last character in equal time', async () => {
    const samples = await probe.measure({
      first: { path: '/api/test', method: 'GET', headers: { authorization: basic(key.id, wrongAt(key.secret, 9)) } },
      last: { path: '/api/test', method: 'GET', headers: { authorization: basic(key.id, wrongAt(key.secret, -1)) } },
    })
    expectUniform(samples, 'first', 'last')
  }, 600_000)
})
