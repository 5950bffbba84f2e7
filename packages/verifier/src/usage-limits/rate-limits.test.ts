import { afterEach, describe, expect, it } from 'vitest'
import { accessToken, apis, closeServed, get, serveLimited as serve } from '../../test/limited-api.js'
import type { RateLimitCounterFactory } from './rate-limit-counter.js'

afterEach(closeServed)

describe.each(Object.keys(apis))('Rate limits through the %s adapter', (adapter) => {
  it('serves a 5/10s key 5 times with the current draft fields, then answers 429 with Retry-After and all five', async () => {
    const { url, acme, globex, key } = await serve(adapter)
    const limited = await key(acme.id, { rateLimits: [{ count: 5, window: 10 }] })
    const other = await key(globex.id, { rateLimits: [{ count: 5, window: 10 }] })
    const answers = []
    for (let i = 0; i < 6; i++) answers.push(await get(`${url}/data`, limited.basic))
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429])
    expect(answers[0]?.headers).toEqual({
      'ratelimit-policy': '"key-5-10s";q=5;w=10',
      ratelimit: expect.stringMatching(/^"key-5-10s";r=4;t=(9|10)$/),
    })
    expect(answers[4]?.headers.ratelimit).toMatch(/^"key-5-10s";r=0;/)
    const refused = answers[5]
    expect(refused?.error).toBe('rate_limited')
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(9)
    expect(Number(refused?.headers['retry-after'])).toBeLessThanOrEqual(10)
    expect(refused?.headers).toMatchObject({
      'ratelimit-policy': '"key-5-10s";q=5;w=10',
      ratelimit: expect.stringMatching(/^"key-5-10s";r=0;t=(9|10)$/),
      'ratelimit-limit': '5',
      'ratelimit-remaining': '0',
      'ratelimit-reset': refused?.headers['retry-after'],
    })
    // A key of another account counts on its own.
    expect((await get(`${url}/data`, other.basic)).status).toBe(200)
  })

  it('shares an account limit between the keys of the account, and not with other accounts', async () => {
    const { url, store, acme, globex, key } = await serve(adapter)
    await store.updateAccount(acme.id, { rateLimits: [{ count: 3, window: 60 }] })
    const first = await key(acme.id)
    const second = await key(acme.id, { rateLimits: [{ count: 100, window: 1 }] })
    const outsider = await key(globex.id)
    const statuses = []
    for (const client of [first, second, first, second]) statuses.push((await get(`${url}/data`, client.basic)).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const fourth = await get(`${url}/data`, first.basic)
    expect(fourth.error).toBe('rate_limited')
    expect(fourth.headers['ratelimit-policy']).toBe('"account-3-1m";q=3;w=60')
    // Unlimited key of another account: no fields at all.
    expect(await get(`${url}/data`, outsider.basic)).toEqual({ status: 200, headers: {}, error: undefined })
  })

  it("names the key's new limits in RateLimit-Policy once they change", async () => {
    const { url, store, acme, key } = await serve(adapter)
    const limited = await key(acme.id, { rateLimits: [{ count: 5, window: 10 }] })
    expect((await get(`${url}/data`, limited.basic)).headers['ratelimit-policy']).toBe('"key-5-10s";q=5;w=10')
    await store.updateApiKey(limited.id, { rateLimits: [{ count: 7, window: 60 }] })
    const changed = await get(`${url}/data`, limited.basic)
    expect(changed.headers['ratelimit-policy']).toBe('"key-7-1m";q=7;w=60')
    expect(changed.headers.ratelimit).toMatch(/^"key-7-1m";r=6;/)
  })

  it('counts a Bearer token of a limited key like its Basic credentials, and token requests against nothing', async () => {
    const { url, acme, key } = await serve(adapter)
    const limited = await key(acme.id, { rateLimits: [{ count: 3, window: 60 }], credits: 2 })
    // Token requests are neither rate-limited nor charged: three of them leave every request to the API.
    await accessToken(url, limited.basic)
    await accessToken(url, limited.basic)
    const bearer = await accessToken(url, limited.basic)
    expect((await get(`${url}/data`, bearer)).headers.ratelimit).toMatch(/^"key-3-1m";r=2;/)
    expect((await get(`${url}/data`, limited.basic)).headers.ratelimit).toMatch(/^"key-3-1m";r=1;/)
    expect((await get(`${url}/data`, bearer)).error).toBe('credits_exhausted')
    expect((await get(`${url}/data`, limited.basic)).error).toBe('rate_limited')
  })
})

describe('A rate-limit counter that fails', () => {
  it('answers 503 to limited keys and 200 to unlimited ones, and heals when the counter works again', async () => {
    const state = { failing: true, made: 0 }
    const counter: RateLimitCounterFactory = (options) => {
      state.made++
      let used = 0
      return {
        consume: async () => {
          if (state.failing) throw new Error('ECONNREFUSED')
          used++
          const remainingPoints = Math.max(0, options.points - used)
          const count = { consumedPoints: used, remainingPoints, msBeforeNext: 1000 }
          if (used > options.points) throw count
          return count
        },
      }
    }
    const { url, acme, key } = await serve('express', { rateLimits: { counter } })
    const limited = await key(acme.id, { rateLimits: [{ count: 10, window: 1 }] })
    const unlimited = await key(acme.id)
    const failing = await get(`${url}/data`, limited.basic)
    expect(failing.status).toBe(503)
    expect(failing.error).toBe('temporarily_unavailable')
    expect((await get(`${url}/data`, unlimited.basic)).status).toBe(200)
    state.failing = false
    const healed = await get(`${url}/data`, limited.basic)
    expect(healed.status).toBe(200)
    expect(healed.headers.ratelimit).toBe('"key-10-1s";r=9;t=1')
    // One counter per count and window, made once.
    expect(state.made).toBe(1)
  })

  it('answers 503 when the counter does not answer within the timeout', async () => {
    const counter: RateLimitCounterFactory = () => ({ consume: () => new Promise(() => {}) })
    const { url, acme, key } = await serve('express', { rateLimits: { counter, timeout: 50 } })
    const limited = await key(acme.id, { rateLimits: [{ count: 10, window: 1 }] })
    expect((await get(`${url}/data`, limited.basic)).status).toBe(503)
  })
})
