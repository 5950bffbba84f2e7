import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  call,
  getTest,
  getToken,
  type HttpResult,
  json,
  startServer,
  type TestKey,
  type TestServer,
} from './harness.js'

/** The statuses of `count` requests to `pathname` with `authorization`, one after the other. */
async function statusesOf(url: string, authorization: string, count: number, pathname = '/api/test') {
  const statuses: number[] = []
  for (let i = 0; i < count; i++) statuses.push((await call(url, pathname, { headers: { authorization } })).status)
  return statuses
}

function expectRefusal(result: HttpResult, error: 'rate_limited' | 'credits_exhausted'): void {
  expect(result.status).toBe(429)
  expect(json(result).error).toBe(error)
}

describe('Rate limits and credits on the example API (one process, SQLite)', () => {
  let server: TestServer
  /** The verifier's clock: the real one plus `shift` ms, so that a refill can be reached without waiting. */
  let shift = 0

  beforeAll(async () => {
    server = await startServer({ verifier: { now: () => Date.now() + shift } })
  })

  afterAll(async () => {
    await server?.stop()
  })

  async function keyWith(options: {
    rateLimits?: { count: number; window: number }[]
    credits?: number
    refill?: { amount: number; interval: 'day' | 'month' }
    accountId?: string
  }): Promise<TestKey> {
    const accountId = options.accountId ?? (await server.manager.createAccount({ name: 'Limits' })).id
    const { accountId: _, ...limits } = options
    const key = await server.manager.createApiKey({ accountId, scopes: ['read'], ...limits })
    return { accountId, id: key.id, secret: key.secret }
  }

  it('serves a 5/10s key 5 times, then answers 429 rate_limited with Retry-After and the RateLimit fields', async () => {
    const limited = await keyWith({ rateLimits: [{ count: 5, window: 10 }] })
    const other = await keyWith({})
    const authorization = basic(limited.id, limited.secret)
    const served: HttpResult[] = []
    for (let i = 0; i < 5; i++) served.push(await getTest(server.url, authorization))
    expect(served.map((result) => result.status)).toEqual([200, 200, 200, 200, 200])
    // Within the limit, the API's own answer carries the fields too, the count going down.
    expect(served[0]?.headers['ratelimit-policy']).toMatch(/;q=5;w=10$/)
    expect(served.map((result) => result.headers.ratelimit?.match(/;r=(\d+);/)?.[1])).toEqual(['4', '3', '2', '1', '0'])
    const refused = await getTest(server.url, authorization)
    expectRefusal(refused, 'rate_limited')
    const retryAfter = Number(refused.headers['retry-after'])
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(10)
    expect(refused.headers['ratelimit-policy']).toMatch(/;q=5;w=10$/)
    expect(refused.headers.ratelimit).toMatch(/;r=0;t=\d+$/)
    // A key of another account is not counted against it.
    expect(await statusesOf(server.url, basic(other.id, other.secret), 8)).toEqual(Array(8).fill(200))
    expect((await getTest(server.url, authorization)).status).toBe(429)
  })

  it("shares an account's limit between two of its keys", async () => {
    const account = await server.manager.createAccount({ name: 'Shared' })
    await server.manager.updateAccount(account.id, { rateLimits: [{ count: 4, window: 60 }] })
    const first = await keyWith({ accountId: account.id })
    const second = await keyWith({ accountId: account.id })
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      statuses.push((await getTest(server.url, basic(first.id, first.secret))).status)
      statuses.push((await getTest(server.url, basic(second.id, second.secret))).status)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
    expectRefusal(await getTest(server.url, basic(second.id, second.secret)), 'rate_limited')
  })

  it('serves a key with 3 credits 3 times, then answers 429 credits_exhausted', async () => {
    const key = await keyWith({ credits: 3 })
    const authorization = basic(key.id, key.secret)
    expect(await statusesOf(server.url, authorization, 3)).toEqual([200, 200, 200])
    const refused = await getTest(server.url, authorization)
    expectRefusal(refused, 'credits_exhausted')
    // No refill: nothing to wait for.
    expect(refused.headers['retry-after']).toBeUndefined()
    expect((await server.manager.getApiKey(key.id)).credits?.remaining).toBe(0)
  })

  it('restores the credits at the refill, with Retry-After until then', async () => {
    const key = await keyWith({ credits: 2, refill: { amount: 2, interval: 'day' } })
    const authorization = basic(key.id, key.secret)
    expect(await statusesOf(server.url, authorization, 3)).toEqual([200, 200, 429])
    const refused = await getTest(server.url, authorization)
    expectRefusal(refused, 'credits_exhausted')
    const refillsAt = (await server.manager.getApiKey(key.id)).credits?.refillsAt
    if (!refillsAt) throw new Error('The key has no refill instant.')
    // Seconds until the next 00:00 UTC, as the verifier's clock reads it.
    const untilRefill = (refillsAt.getTime() - Date.now()) / 1000
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(Math.floor(untilRefill) - 1)
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil(untilRefill) + 1)
    shift = refillsAt.getTime() - Date.now() + 1000
    try {
      expect(await statusesOf(server.url, authorization, 3)).toEqual([200, 200, 429])
    } finally {
      shift = 0
    }
  })

  it('charges GET /api/report 5 credits, and counts it as one request against rate limits', async () => {
    const key = await keyWith({ credits: 12 })
    const authorization = basic(key.id, key.secret)
    expect(await statusesOf(server.url, authorization, 3, '/api/report')).toEqual([200, 200, 429])
    // 2 left: too few for a report, enough for two tests.
    expectRefusal(await call(server.url, '/api/report', { headers: { authorization } }), 'credits_exhausted')
    expect(await statusesOf(server.url, authorization, 3)).toEqual([200, 200, 429])

    const limited = await keyWith({ rateLimits: [{ count: 2, window: 60 }] })
    const limitedAuthorization = basic(limited.id, limited.secret)
    expect(await statusesOf(server.url, limitedAuthorization, 3, '/api/report')).toEqual([200, 200, 429])
  })

  it('counts Bearer requests of a limited key like Basic ones, and token requests not at all', async () => {
    const key = await keyWith({ rateLimits: [{ count: 4, window: 60 }], credits: 100 })
    const token = await getToken(server.url, key)
    expect(await getToken(server.url, key)).toEqual(expect.any(String))
    const bearer = `Bearer ${token}`
    const statuses = [
      (await getTest(server.url, basic(key.id, key.secret))).status,
      ...(await statusesOf(server.url, bearer, 2)),
      (await getTest(server.url, basic(key.id, key.secret))).status,
    ]
    expect(statuses).toEqual([200, 200, 200, 200])
    expectRefusal(await getTest(server.url, bearer), 'rate_limited')
    expectRefusal(await getTest(server.url, basic(key.id, key.secret)), 'rate_limited')
    // Only the 4 requests served spent credits; neither token request nor the refusals did.
    expect((await server.manager.getApiKey(key.id)).credits?.remaining).toBe(96)
  })
})
