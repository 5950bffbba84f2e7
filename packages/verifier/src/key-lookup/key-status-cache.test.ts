import { describe, expect, it } from 'vitest'
import type { ApiKeyCredential } from '../store/key-store.js'
import { KeyStatusCache } from './key-status-cache.js'

function credential(id: string, overrides: Partial<ApiKeyCredential> = {}): ApiKeyCredential {
  return {
    id,
    accountId: 'acct_one',
    secretHash: 'sha256:x',
    scopes: ['read'],
    status: 'enabled',
    accountStatus: 'enabled',
    createdAt: new Date(0),
    name: null,
    description: null,
    metadata: {},
    expiresAt: null,
    replaces: null,
    replacedBy: null,
    ...overrides,
  }
}

/** A cache on a hand-driven clock, and a store read that counts its calls. */
function setUp(options: { capacity?: number; maxAge?: number; fallbackMaxAge?: number } = {}) {
  let clock = 0
  const cache = new KeyStatusCache({
    capacity: options.capacity ?? 100,
    maxAge: options.maxAge ?? 300_000,
    fallbackMaxAge: options.fallbackMaxAge ?? 1000,
    now: () => clock,
  })
  const stored = new Map<string, ApiKeyCredential>([
    ['lk_a', credential('lk_a')],
    ['lk_b', credential('lk_b')],
    ['lk_other', credential('lk_other', { accountId: 'acct_two' })],
  ])
  let reads = 0
  const read = (id: string) => async () => {
    reads++
    return stored.get(id)
  }
  return {
    cache,
    stored,
    read,
    reads: () => reads,
    advance: (ms: number) => {
      clock += ms
    },
  }
}

describe('KeyStatusCache', () => {
  it('reads a key once while the feed is live, until its maxAge', async () => {
    const { cache, read, reads, advance } = setUp({ maxAge: 60_000 })
    cache.apply({ type: 'connected' })
    await cache.get('lk_a', read('lk_a'))
    advance(59_999)
    await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(1)
    advance(1)
    await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(2)
  })

  it('honours a revocation reported by the feed at the very next call, on a hit', async () => {
    const { cache, stored, read } = setUp()
    cache.apply({ type: 'connected' })
    expect((await cache.get('lk_a', read('lk_a')))?.status).toBe('enabled')
    stored.set('lk_a', credential('lk_a', { status: 'revoked' }))
    expect((await cache.get('lk_a', read('lk_a')))?.status).toBe('enabled')
    cache.apply({ type: 'api-key', id: 'lk_a' })
    expect((await cache.get('lk_a', read('lk_a')))?.status).toBe('revoked')
  })

  it('forgets every key of an account reported changed, and only those', async () => {
    const { cache, read, reads } = setUp()
    cache.apply({ type: 'connected' })
    for (const id of ['lk_a', 'lk_b', 'lk_other']) await cache.get(id, read(id))
    cache.apply({ type: 'account', id: 'acct_one' })
    for (const id of ['lk_a', 'lk_b', 'lk_other']) await cache.get(id, read(id))
    expect(reads()).toBe(5)
  })

  it('trusts a read for fallbackMaxAge only while the feed is down, so a revocation shows within it', async () => {
    const { cache, stored, read, advance } = setUp({ fallbackMaxAge: 1000 })
    cache.apply({ type: 'connected' })
    await cache.get('lk_a', read('lk_a'))
    cache.apply({ type: 'disconnected' })
    await cache.get('lk_a', read('lk_a'))
    stored.set('lk_a', credential('lk_a', { status: 'revoked' }))
    advance(999)
    expect((await cache.get('lk_a', read('lk_a')))?.status).toBe('enabled')
    advance(1)
    expect((await cache.get('lk_a', read('lk_a')))?.status).toBe('revoked')
  })

  it('treats a feed that never connected as down', async () => {
    const { cache, read, reads, advance } = setUp({ fallbackMaxAge: 1000 })
    await cache.get('lk_a', read('lk_a'))
    advance(1000)
    await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(2)
    expect(cache.live).toBe(false)
  })

  it('reads the store on every call while the feed is down when fallbackMaxAge is 0', async () => {
    const { cache, read, reads } = setUp({ fallbackMaxAge: 0 })
    for (let i = 0; i < 3; i++) await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(3)
  })

  it('forgets everything when the feed goes down or comes back, since changes in between were not reported', async () => {
    const { cache, read, reads } = setUp()
    cache.apply({ type: 'connected' })
    await cache.get('lk_a', read('lk_a'))
    cache.apply({ type: 'disconnected' })
    expect(cache.size).toBe(0)
    await cache.get('lk_a', read('lk_a'))
    cache.apply({ type: 'connected' })
    expect(cache.size).toBe(0)
    await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(3)
  })

  it('does not store a read that a reported change overtook', async () => {
    const { cache, stored, reads } = setUp()
    cache.apply({ type: 'connected' })
    let release: () => void = () => {}
    const slow = cache.get('lk_a', async () => {
      await new Promise<void>((resolve) => {
        release = resolve
      })
      return credential('lk_a')
    })
    stored.set('lk_a', credential('lk_a', { status: 'revoked' }))
    cache.apply({ type: 'api-key', id: 'lk_a' })
    release()
    expect((await slow)?.status).toBe('enabled')
    expect(cache.size).toBe(0)
    expect(reads()).toBe(0)
  })

  it('shares one store read among 100 concurrent misses for one key', async () => {
    const { cache, read, reads } = setUp()
    cache.apply({ type: 'connected' })
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.get('lk_a', read('lk_a'))))
    expect(reads()).toBe(1)
    expect(new Set(results.map((result) => result?.id))).toEqual(new Set(['lk_a']))
  })

  it('remembers an absent id as it does a found key, until the feed reports a change to it such as its creation', async () => {
    const { cache, stored, read, reads } = setUp()
    cache.apply({ type: 'connected' })
    for (let i = 0; i < 3; i++) expect(await cache.get('lk_new', read('lk_new'))).toBeUndefined()
    expect(reads()).toBe(1)
    stored.set('lk_new', credential('lk_new'))
    // Unreported, the creation is not seen, as an unreported revocation is not.
    expect(await cache.get('lk_new', read('lk_new'))).toBeUndefined()
    cache.apply({ type: 'api-key', id: 'lk_new' })
    expect((await cache.get('lk_new', read('lk_new')))?.id).toBe('lk_new')
    expect(reads()).toBe(2)
  })

  it('trusts an absent id for maxAge while the feed is live and fallbackMaxAge while it is down, as a found key', async () => {
    const { cache, read, reads, advance } = setUp({ maxAge: 60_000, fallbackMaxAge: 1000 })
    cache.apply({ type: 'connected' })
    await cache.get('lk_new', read('lk_new'))
    advance(59_999)
    await cache.get('lk_new', read('lk_new'))
    expect(reads()).toBe(1)
    advance(1)
    await cache.get('lk_new', read('lk_new'))
    expect(reads()).toBe(2)
    cache.apply({ type: 'disconnected' })
    await cache.get('lk_new', read('lk_new'))
    advance(999)
    await cache.get('lk_new', read('lk_new'))
    expect(reads()).toBe(3)
    advance(1)
    await cache.get('lk_new', read('lk_new'))
    expect(reads()).toBe(4)
  })

  it('holds at most capacity lookups, found keys and absent ids sharing one least-recently-used order', async () => {
    const { cache, read, reads } = setUp({ capacity: 2 })
    cache.apply({ type: 'connected' })
    await cache.get('lk_a', read('lk_a'))
    // Absent ids push a found key out, as any other lookups would: whether it stays cannot depend on its existing.
    await cache.get('lk_unknown1', read('lk_unknown1'))
    await cache.get('lk_unknown2', read('lk_unknown2'))
    expect(cache.size).toBe(2)
    await cache.get('lk_unknown1', read('lk_unknown1'))
    expect(reads()).toBe(3)
    await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(4)
    // And found keys push absent ids out: lk_unknown2 was the least recently used.
    await cache.get('lk_unknown1', read('lk_unknown1'))
    expect(reads()).toBe(4)
    await cache.get('lk_unknown2', read('lk_unknown2'))
    expect(reads()).toBe(5)
  })

  it('keeps at most capacity keys, dropping the least recently used', async () => {
    const { cache, read, reads } = setUp({ capacity: 2 })
    cache.apply({ type: 'connected' })
    await cache.get('lk_a', read('lk_a'))
    await cache.get('lk_b', read('lk_b'))
    await cache.get('lk_a', read('lk_a'))
    await cache.get('lk_other', read('lk_other'))
    expect(cache.size).toBe(2)
    await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(3)
    await cache.get('lk_b', read('lk_b'))
    expect(reads()).toBe(4)
  })

  it('passes every call to the store when capacity is 0', async () => {
    const { cache, read, reads } = setUp({ capacity: 0 })
    cache.apply({ type: 'connected' })
    await cache.get('lk_a', read('lk_a'))
    await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(2)
  })

  it('passes a store failure through and remembers nothing', async () => {
    const { cache, read, reads } = setUp()
    cache.apply({ type: 'connected' })
    await expect(
      cache.get('lk_a', async () => {
        throw new Error('down')
      }),
    ).rejects.toThrow('down')
    await cache.get('lk_a', read('lk_a'))
    expect(reads()).toBe(1)
  })

  it('forgets every status once a read fails while the feed is down, so an outage is not answered from memory', async () => {
    const { cache, read, reads } = setUp({ fallbackMaxAge: 1000 })
    // Never connected: the state of an instance's first requests, or of a feed reconnecting.
    await cache.get('lk_a', read('lk_a'))
    await cache.get('lk_b', read('lk_b'))
    await expect(
      cache.get('lk_other', () => {
        throw new Error('connect ECONNREFUSED')
      }),
    ).rejects.toThrow('ECONNREFUSED')
    expect(cache.size).toBe(0)
    await expect(
      cache.get('lk_a', async () => {
        throw new Error('connect ECONNREFUSED')
      }),
    ).rejects.toThrow('ECONNREFUSED')
    expect(reads()).toBe(2)
  })

  it('keeps what it read when one read fails while the feed is live, since the feed reports an outage itself', async () => {
    const { cache, read, reads } = setUp()
    cache.apply({ type: 'connected' })
    await cache.get('lk_a', read('lk_a'))
    await expect(
      cache.get('lk_b', async () => {
        throw new Error('Query read timeout')
      }),
    ).rejects.toThrow('timeout')
    expect((await cache.get('lk_a', read('lk_a')))?.status).toBe('enabled')
    expect(reads()).toBe(1)
  })
})
