import {
  type AuthenticationResult,
  createVerifier,
  type HttpAnswer,
  toResponse,
  type Verifier,
} from '@latchkey/verifier'
import { type CreatedApiKey, createKeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresKeyStore, type PostgresKeyStore } from '../src/index.js'
import { openSession, type PostgresCluster, startPostgres } from './postgres-cluster.js'

/** Two instances of an API on one Postgres database: brute-force throttling counts for both. */
let cluster: PostgresCluster
let stores: PostgresKeyStore[] = []
let verifiers: Verifier[] = []
let key: CreatedApiKey
let url: string

beforeAll(async () => {
  cluster = await startPostgres()
  url = await cluster.createDatabase('failure_limiter')
  stores = await Promise.all([openPostgresKeyStore(url), openPostgresKeyStore(url)])
  verifiers = stores.map((store) => createVerifier({ store, issuer: 'https://api.latchkey.test' }))
  const manager = createKeyManager(stores[0] as PostgresKeyStore)
  const account = await manager.createAccount({ name: 'Acme' })
  key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
})

afterAll(async () => {
  for (const verifier of verifiers) await verifier.close?.()
  for (const store of stores) await store.close()
  await cluster?.destroy()
})

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

function authenticate(instance: number, secret: string, clientAddress: string): Promise<AuthenticationResult> {
  return (verifiers[instance] as Verifier).authenticate({ authorization: [basic(key.id, secret)] }, { clientAddress })
}

const outcome = (result: AuthenticationResult) => (result.ok ? 'ok' : result.error.code)

describe('Brute-force throttling on the Postgres store', () => {
  it('shares the failure counts of every instance on the database', async () => {
    const answers: string[] = []
    // Ten wrong secrets from one address, alternating between the two instances.
    for (let index = 0; index < 10; index++)
      answers.push(outcome(await authenticate(index % 2, 'lksecret_wrong', '203.0.113.9')))
    expect(answers).toEqual(Array(10).fill('ERR_INVALID_CREDENTIALS'))
    // Each instance alone has seen five: only the shared count is at the limit of ten.
    for (const instance of [0, 1]) {
      const result = await authenticate(instance, key.secret, '203.0.113.9')
      expect(outcome(result)).toBe('ERR_TOO_MANY_ATTEMPTS')
      expect(result.ok ? undefined : { retryAfter: result.error.retryAfter, limit: result.error.limit }).toEqual({
        retryAfter: 1,
        limit: 10,
      })
    }
    // The owner, from another address, is let in by both.
    expect(outcome(await authenticate(0, key.secret, '198.51.100.7'))).toBe('ok')
    expect(outcome(await authenticate(1, key.secret, '198.51.100.7'))).toBe('ok')
  })

  it('throttles the token endpoint of one instance after failures at the other', async () => {
    const token = async (instance: number, secret: string) =>
      toResponse(
        (await (verifiers[instance] as Verifier).answer(
          new Request('https://api.latchkey.test/oauth/token', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(key.id, secret) },
            body: 'grant_type=client_credentials',
          }),
          { clientAddress: '203.0.113.50' },
        )) as HttpAnswer,
      )
    for (let index = 0; index < 10; index++) expect((await token(0, 'lksecret_wrong')).status).toBe(401)
    const throttled = await token(1, 'lksecret_wrong')
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(throttled.headers.get('ratelimit-limit')).toBe('10')
  })

  it('keeps the counts in its own table, never a secret in it', async () => {
    const session = await openSession(url)
    try {
      const rows = (await session.query('SELECT key, points FROM latchkey_failure_counters')) as { key: string }[]
      expect(rows.length).toBeGreaterThan(0)
      expect(rows.some((row) => row.key.includes(key.id))).toBe(true)
      expect(rows.some((row) => row.key.includes('203.0.113.9'))).toBe(true)
      expect(JSON.stringify(rows)).not.toContain('lksecret_')
    } finally {
      await session.end()
    }
  })
})
