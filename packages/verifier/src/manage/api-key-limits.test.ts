import { describe, expect, it } from 'vitest'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createKeyManager } from './key-manager.js'

const hour = 3_600_000
const daily = { amount: 100, interval: 'day' } as const
const perSecond = { count: 10, window: 1 }
const perHour = { count: 1000, window: 3600 }

async function setUp() {
  let clock = Date.UTC(2030, 0, 15, 10)
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store, { now: () => clock })
  const account = await manager.createAccount({ name: 'Acme' })
  return { store, manager, account, now: () => new Date(clock), advance: (ms: number) => (clock += ms) }
}

const tomorrow = new Date(Date.UTC(2030, 0, 16))

describe('createApiKey with usage limits', () => {
  it('stores rate limits and credits, and hands them back on every read', async () => {
    const { manager, account } = await setUp()
    const key = await manager.createApiKey({
      accountId: account.id,
      rateLimits: [perSecond, perHour],
      credits: 40,
      refill: daily,
    })
    const expected = {
      rateLimits: [perSecond, perHour],
      credits: { remaining: 40, refill: daily, refillsAt: tomorrow },
    }
    expect(key).toMatchObject(expected)
    expect(await manager.getApiKey(key.id)).toMatchObject(expected)
    expect(await manager.listApiKeys()).toMatchObject([expected])
  })

  it('without limits says so: no rate limits, not metered', async () => {
    const { manager, account } = await setUp()
    const key = await manager.createApiKey({ accountId: account.id })
    expect(await manager.getApiKey(key.id)).toMatchObject({ rateLimits: [], credits: null })
  })

  it('with a refill alone starts with the refill amount, refilled from the next 00:00 UTC', async () => {
    const { manager, account } = await setUp()
    const key = await manager.createApiKey({ accountId: account.id, refill: daily })
    expect(key.credits).toEqual({ remaining: 100, refill: daily, refillsAt: tomorrow })
  })

  it('refuses bad limits before writing anything', async () => {
    const { manager, account } = await setUp()
    const accountId = account.id
    await expect(
      manager.createApiKey({ accountId, rateLimits: [perSecond, { count: 5, window: 1 }] }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/same window/) })
    await expect(manager.createApiKey({ accountId, credits: -1 })).rejects.toThrow(/whole number from 0/)
    await expect(manager.createApiKey({ accountId, credits: null, refill: daily })).rejects.toThrow(
      /cannot have a refill/,
    )
    expect(await manager.listApiKeys()).toEqual([])
  })
})

describe('updateApiKey with usage limits', () => {
  it('replaces the rate limits, and [] removes them', async () => {
    const { manager, account } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id, rateLimits: [perSecond] })
    expect((await manager.updateApiKey(id, { rateLimits: [perHour] })).rateLimits).toEqual([perHour])
    expect((await manager.updateApiKey(id, { rateLimits: [] })).rateLimits).toEqual([])
    expect((await manager.getApiKey(id)).rateLimits).toEqual([])
  })

  it('with credits alone keeps the refill; with a refill alone keeps what is left after spending', async () => {
    const { store, manager, account, now } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id, credits: 10, refill: daily })
    expect((await manager.updateApiKey(id, { credits: 20 })).credits).toEqual({
      remaining: 20,
      refill: daily,
      refillsAt: tomorrow,
    })
    expect(store.spendCredits(id, 3, now())).toMatchObject({ spent: true, remaining: 17 })
    const monthly = { amount: 500, interval: 'month' } as const
    expect((await manager.updateApiKey(id, { refill: monthly })).credits).toEqual({
      remaining: 17,
      refill: monthly,
      refillsAt: new Date(Date.UTC(2030, 1, 1)),
    })
    expect((await manager.updateApiKey(id, { refill: null })).credits).toEqual({
      remaining: 17,
      refill: null,
      refillsAt: null,
    })
  })

  it('with a refill alone hands back no credit spent between its read and its write', async () => {
    const { store, manager, account, now } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id, credits: 10, refill: daily })
    // Three credits spent by a request that lands after the manager read the key, before the store writes.
    const update = store.updateApiKey.bind(store)
    store.updateApiKey = (keyId, changes) => {
      store.spendCredits(keyId, 3, now())
      return update(keyId, changes)
    }
    const monthly = { amount: 500, interval: 'month' } as const
    expect((await manager.updateApiKey(id, { refill: monthly })).credits).toEqual({
      remaining: 7,
      refill: monthly,
      refillsAt: new Date(Date.UTC(2030, 1, 1)),
    })
    expect((await manager.updateApiKey(id, { refill: null })).credits).toEqual({
      remaining: 4,
      refill: null,
      refillsAt: null,
    })
  })

  it('with a refill alone sets it through a store that ignores creditRefill, from what that store hands back', async () => {
    const { store, manager, account } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id, credits: 10, refill: daily })
    const update = store.updateApiKey.bind(store)
    const seen: unknown[] = []
    // A store written before creditRefill: it writes what it knows, and hands the key back unchanged.
    store.updateApiKey = (keyId, { creditRefill, ...known }) => {
      seen.push(creditRefill === undefined ? 'credits' : 'creditRefill')
      return update(keyId, known)
    }
    const monthly = { amount: 500, interval: 'month' } as const
    expect((await manager.updateApiKey(id, { refill: monthly })).credits).toEqual({
      remaining: 10,
      refill: monthly,
      refillsAt: new Date(Date.UTC(2030, 1, 1)),
    })
    expect(seen).toEqual(['creditRefill', 'credits'])
    expect((await manager.getApiKey(id)).credits).toMatchObject({ remaining: 10, refill: monthly })
  })

  it('with a refill alone starts metering a key that was not, and credits: null stops it', async () => {
    const { store, manager, account, now } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id })
    expect((await manager.updateApiKey(id, { refill: daily })).credits).toMatchObject({ remaining: 100 })
    expect((await manager.updateApiKey(id, { credits: null })).credits).toBeNull()
    expect(store.spendCredits(id, 1, now())).toBeUndefined()
    expect(await manager.getApiKey(id)).toMatchObject({ credits: null })
  })

  it('shows the credits as of now: a refill that fell due is counted', async () => {
    const { store, manager, account, now, advance } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id, credits: 1, refill: daily })
    store.spendCredits(id, 1, now())
    expect((await manager.getApiKey(id)).credits).toMatchObject({ remaining: 0 })
    advance(14 * hour)
    expect((await manager.getApiKey(id)).credits).toEqual({
      remaining: 100,
      refill: daily,
      refillsAt: new Date(Date.UTC(2030, 0, 17)),
    })
  })
})

describe('rotateApiKey with usage limits', () => {
  it('copies the rate limits and shares one credit balance between both keys', async () => {
    const { store, manager, account, now } = await setUp()
    const old = await manager.createApiKey({ accountId: account.id, rateLimits: [perSecond], credits: 5 })
    const { key, previous } = await manager.rotateApiKey(old.id)
    expect(key).toMatchObject({ rateLimits: [perSecond], credits: { remaining: 5, refill: null } })
    expect(store.spendCredits(key.id, 2, now())).toMatchObject({ spent: true, remaining: 3 })
    expect(store.spendCredits(previous.id, 2, now())).toMatchObject({ spent: true, remaining: 1 })
    expect((await manager.getApiKey(old.id)).credits).toMatchObject({ remaining: 1 })
    expect((await manager.getApiKey(key.id)).credits).toMatchObject({ remaining: 1 })
  })
})

describe('updateAccount with rate limits', () => {
  it('sets them, shows them, and [] removes them; bad ones are refused', async () => {
    const { manager, account } = await setUp()
    expect((await manager.updateAccount(account.id, { rateLimits: [perHour] })).rateLimits).toEqual([perHour])
    expect((await manager.getAccount(account.id)).rateLimits).toEqual([perHour])
    expect((await manager.updateAccount(account.id, { rateLimits: [] })).rateLimits ?? []).toEqual([])
    await expect(manager.updateAccount(account.id, { rateLimits: [{ count: 0, window: 1 }] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
