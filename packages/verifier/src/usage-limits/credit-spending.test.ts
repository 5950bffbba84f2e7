import { afterEach, describe, expect, it } from 'vitest'
import { accessToken, apis, closeServed, get, limitedStore, serveLimited as serve } from '../../test/limited-api.js'
import type { AuthEvent } from '../audit/events.js'
import type { KeyStore } from '../store/key-store.js'
import type { MemoryKeyStore } from '../store/memory-key-store.js'

afterEach(closeServed)

describe.each(Object.keys(apis))('Credits through the %s adapter', (adapter) => {
  it('serves a key with 3 credits 3 times, then answers 429 credits_exhausted without Retry-After', async () => {
    const { url, acme, key } = await serve(adapter)
    const metered = await key(acme.id, { credits: 3 })
    const answers = []
    for (let i = 0; i < 4; i++) answers.push(await get(`${url}/data`, metered.basic))
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429])
    // Credits alone are no rate limit: no RateLimit fields, and no refill to wait for.
    expect(answers[0]?.headers).toEqual({})
    expect(answers[3]).toEqual({ status: 429, headers: {}, error: 'credits_exhausted' })
  })

  it('restores the credits at the refill instant, and says when it is', async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 23, 0, 0) }
    const { url, store, acme, key } = await serve(adapter, { now: () => clock.now })
    const metered = await key(acme.id)
    const refill = { amount: 2, interval: 'day' } as const
    await store.updateApiKey(metered.id, {
      credits: { remaining: 1, refill, refillsAt: new Date(Date.UTC(2026, 0, 2)) },
    })
    expect((await get(`${url}/data`, metered.basic)).status).toBe(200)
    const exhausted = await get(`${url}/data`, metered.basic)
    expect(exhausted).toMatchObject({ status: 429, error: 'credits_exhausted' })
    expect(exhausted.headers['retry-after']).toBe('3600')
    clock.now = Date.UTC(2026, 0, 2, 0, 0, 1)
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await get(`${url}/data`, metered.basic)).status)
    expect(statuses).toEqual([200, 200, 429])
  })

  it('charges a route its cost: 5 credits a request, refused when fewer are left', async () => {
    const { url, store, acme, key } = await serve(adapter)
    const metered = await key(acme.id, { credits: 12 })
    expect((await get(`${url}/report`, metered.basic)).status).toBe(200)
    expect((await get(`${url}/report`, metered.basic)).status).toBe(200)
    expect((await get(`${url}/report`, metered.basic)).error).toBe('credits_exhausted')
    // The refused request took nothing: the 2 left still pay for cheaper routes.
    expect(store.getApiKey(metered.id)?.credits?.remaining).toBe(2)
    expect((await get(`${url}/data`, metered.basic)).status).toBe(200)
  })
})

describe('Credits on a store that cannot spend them', () => {
  it('answers 503 to keys with credits and serves keys without', async () => {
    // The memory store as an older store would be: everything but spendCredits.
    const withoutSpending = (store: MemoryKeyStore): KeyStore =>
      new Proxy(store, {
        get(target, name) {
          if (name === 'spendCredits') return undefined
          const value = Reflect.get(target, name, target) as unknown
          return typeof value === 'function' ? value.bind(target) : value
        },
      })
    const { url, acme, key } = await serve('express', {}, withoutSpending)
    const metered = await key(acme.id, { credits: 5 })
    const unmetered = await key(acme.id)
    expect(await get(`${url}/data`, metered.basic)).toMatchObject({
      status: 503,
      error: 'temporarily_unavailable',
    })
    expect((await get(`${url}/data`, unmetered.basic)).status).toBe(200)
  })
})

describe('Audit events and usage counts of limited requests', () => {
  it('reports rate_limited and credits_exhausted refusals and counts every outcome by hour', async () => {
    const events: AuthEvent[] = []
    const clock = { now: Date.UTC(2026, 2, 1, 10, 30) }
    const setup = await limitedStore({ onEvent: (event) => events.push(event), now: () => clock.now })
    const { verifier, store, acme, key } = setup
    const limited = await key(acme.id, { rateLimits: [{ count: 1, window: 60 }] })
    const metered = await key(acme.id, { credits: 1 })
    const wrong = `Basic ${btoa(`${metered.id}:lk_sk_${'x'.repeat(43)}`)}`
    for (const authorization of [limited.basic, limited.basic, metered.basic, metered.basic, wrong]) {
      await verifier.authenticate({ authorization: [authorization] })
    }
    expect(events.map((event) => [event.outcome, event.code, event.reason])).toEqual([
      ['success', undefined, undefined],
      ['failure', 'ERR_RATE_LIMITED', 'rate_limited'],
      ['success', undefined, undefined],
      ['failure', 'ERR_CREDITS_EXHAUSTED', 'credits_exhausted'],
      ['failure', 'ERR_INVALID_CREDENTIALS', 'wrong_secret'],
    ])
    expect(events[1]).toMatchObject({ keyId: limited.id, accountId: acme.id, method: 'basic' })
    // Nothing is written on the request path: the counts reach the store at close at the latest.
    expect(store.listUsage({ accountId: acme.id, since: new Date(0) })).toEqual([])
    await verifier.close?.()
    const hour = new Date(Date.UTC(2026, 2, 1, 10))
    const rows = store.listUsage({ accountId: acme.id, since: new Date(0) })
    expect(rows.map(({ keyId, outcome, count }) => [keyId, outcome, count]).sort()).toEqual(
      [
        [limited.id, 'served', 1],
        [limited.id, 'rate_limited', 1],
        [metered.id, 'served', 1],
        [metered.id, 'credits_exhausted', 1],
        [metered.id, 'refused', 1],
      ].sort(),
    )
    expect(rows.every((row) => row.hour.getTime() === hour.getTime() && row.accountId === acme.id)).toBe(true)
  })
})

describe('Usage counts of Bearer refusals', () => {
  it("count a verified token refused for its key's status as its key's refused, and name the key in the audit event", async () => {
    const events: AuthEvent[] = []
    const { url, store, verifier, acme, key } = await serve('express', { onEvent: (event) => events.push(event) })
    const suspended = await key(acme.id)
    const bearer = await accessToken(url, suspended.basic)
    expect((await get(`${url}/data`, bearer)).status).toBe(200)
    store.setApiKeyStatus(suspended.id, 'disabled')
    expect(await get(`${url}/data`, bearer)).toMatchObject({ status: 401, error: 'invalid_token' })
    // A token this server never signed names no key it can vouch for: counted for no one.
    const [header = '', claims = ''] = bearer.slice('Bearer '.length).split('.')
    expect((await get(`${url}/data`, `Bearer ${header}.${claims}.${'A'.repeat(86)}`)).status).toBe(401)
    const refusals = events.filter((event) => event.type === 'authenticate' && event.outcome === 'failure')
    expect(refusals.map((event) => [event.reason, event.keyId])).toEqual([
      ['key_disabled', suspended.id],
      ['token_invalid', undefined],
    ])
    await verifier.close?.()
    const rows = store.listUsage({ accountId: acme.id, since: new Date(0) })
    expect(rows.map(({ keyId, outcome, count }) => [keyId, outcome, count]).sort()).toEqual(
      [
        [suspended.id, 'served', 1],
        [suspended.id, 'refused', 1],
      ].sort(),
    )
  })
})
