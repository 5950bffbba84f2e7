import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { respond } from '../../test/respond.js'
import { createVerifier } from '../index.js'
import { createKeyManager } from '../manage/key-manager.js'
import type { KeyStore } from '../store/key-store.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createUsageRecorder } from './usage-recorder.js'

/** A memory store whose `touchApiKeys` calls are recorded, and can be made to fail. */
function touchCountingStore(): { store: MemoryKeyStore; batches: Map<string, Date>[]; fail: { now: boolean } } {
  const store = new MemoryKeyStore()
  const batches: Map<string, Date>[] = []
  const fail = { now: false }
  const touch = store.touchApiKeys.bind(store)
  store.touchApiKeys = (uses) => {
    batches.push(new Map(uses))
    if (fail.now) throw new Error('The database is down.')
    touch(uses)
  }
  return { store, batches, fail }
}

const at = (seconds: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, seconds))
const ms = (seconds: number) => at(seconds).getTime()

describe('createUsageRecorder', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('writes a thousand uses of two keys as one batch per interval, with the latest instant of each', async () => {
    const { store, batches } = touchCountingStore()
    const recorder = createUsageRecorder({ store, interval: 60_000, storeTimeout: 1000 })
    for (let i = 0; i < 1000; i++) recorder.record(i % 2 === 0 ? 'lk_a' : 'lk_b', ms(i % 50))
    expect(batches).toEqual([])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(batches).toEqual([
      new Map([
        ['lk_a', at(48)],
        ['lk_b', at(49)],
      ]),
    ])
    await vi.advanceTimersByTimeAsync(600_000)
    expect(batches).toHaveLength(1)
  })

  it('writes nothing, and arms no timer, while no key is used', async () => {
    const { store, batches } = touchCountingStore()
    createUsageRecorder({ store, interval: 1000, storeTimeout: 1000 })
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(batches).toEqual([])
  })

  it('keeps the uses of a failed write for the next batch, and never rejects', async () => {
    const { store, batches, fail } = touchCountingStore()
    const recorder = createUsageRecorder({ store, interval: 1000, storeTimeout: 1000 })
    fail.now = true
    recorder.record('lk_a', ms(1))
    await vi.advanceTimersByTimeAsync(1000)
    fail.now = false
    recorder.record('lk_b', ms(2))
    await vi.advanceTimersByTimeAsync(1000)
    expect(batches).toHaveLength(2)
    expect(batches[1]).toEqual(
      new Map([
        ['lk_a', at(1)],
        ['lk_b', at(2)],
      ]),
    )
  })

  it('gives up a write that hangs after the store timeout', async () => {
    const store = new MemoryKeyStore()
    store.touchApiKeys = () => new Promise<void>(() => {})
    const recorder = createUsageRecorder({ store, interval: 1000, storeTimeout: 500 })
    recorder.record('lk_a', ms(1))
    const closed = recorder.close()
    await vi.advanceTimersByTimeAsync(500)
    await expect(closed).resolves.toBeUndefined()
  })

  it('writes what is pending on close, and records nothing afterwards', async () => {
    const { store, batches } = touchCountingStore()
    const recorder = createUsageRecorder({ store, interval: 60_000, storeTimeout: 1000 })
    recorder.record('lk_a', ms(1))
    await recorder.close()
    recorder.record('lk_b', ms(2))
    await vi.advanceTimersByTimeAsync(120_000)
    expect(batches).toEqual([new Map([['lk_a', at(1)]])])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('records nothing with an interval of 0 or a store without touchApiKeys', async () => {
    const { store, batches } = touchCountingStore()
    const recorder = createUsageRecorder({ store, interval: 0, storeTimeout: 1000 })
    recorder.record('lk_a', ms(1))
    await recorder.close()
    expect(batches).toEqual([])
    const bare: KeyStore = { ...new MemoryKeyStore(), findApiKey: () => undefined } as unknown as KeyStore
    expect(() =>
      createUsageRecorder({ store: bare, interval: 1000, storeTimeout: 1000 }).record('x', ms(1)),
    ).not.toThrow()
  })
})

describe('lastUsedAt through the verifier', () => {
  it('records Basic, Bearer and token successes, not failures, and writes them on close', async () => {
    const { store, batches } = touchCountingStore()
    const manager = createKeyManager(store)
    const account = await manager.createAccount({ name: 'Usage' })
    const used = await manager.createApiKey({ accountId: account.id })
    const idle = await manager.createApiKey({ accountId: account.id })
    let clock = Date.UTC(2025, 0, 1)
    const verifier = createVerifier({ store, issuer: 'https://api.example.test', now: () => clock })
    const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`
    expect((await verifier.authenticate({ authorization: [basic(used.id, used.secret)] })).ok).toBe(true)
    expect((await verifier.authenticate({ authorization: [basic(idle.id, `${idle.secret}x`)] })).ok).toBe(false)
    clock += 5000
    const response = await respond(
      verifier,
      new Request('https://api.example.test/oauth/token', {
        method: 'POST',
        headers: { authorization: basic(used.id, used.secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
    )
    expect(response.status).toBe(200)
    expect(batches).toEqual([])
    await verifier.close?.()
    expect(batches).toEqual([new Map([[used.id, new Date(clock)]])])
    expect((await manager.getApiKey(used.id)).lastUsedAt).toEqual(new Date(clock))
    expect((await manager.getApiKey(idle.id)).lastUsedAt).toBeUndefined()
  })

  it('answers as usual while every lastUsedAt write fails', async () => {
    const { store, fail } = touchCountingStore()
    fail.now = true
    const manager = createKeyManager(store)
    const account = await manager.createAccount({ name: 'Usage' })
    const key = await manager.createApiKey({ accountId: account.id })
    const verifier = createVerifier({ store, issuer: 'https://api.example.test', lastUsedFlushInterval: 1000 })
    const authorization = [`Basic ${btoa(`${key.id}:${key.secret}`)}`]
    expect((await verifier.authenticate({ authorization })).ok).toBe(true)
    await verifier.close?.()
    expect((await verifier.authenticate({ authorization })).ok).toBe(true)
  })

  it('refuses a flush interval outside 0 or 1000 to 86,400,000 ms', () => {
    const store = new MemoryKeyStore()
    for (const lastUsedFlushInterval of [-1, 1, 999, 86_400_001, Number.NaN]) {
      expect(() => createVerifier({ store, issuer: 'https://api.example.test', lastUsedFlushInterval })).toThrow(
        RangeError,
      )
    }
    expect(() => createVerifier({ store, issuer: 'https://api.example.test', lastUsedFlushInterval: 0 })).not.toThrow()
  })
})
