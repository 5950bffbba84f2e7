import { describe, expect, it } from 'vitest'
import type { ApiKeyCredential } from '../store/key-store.js'
import { VersionedKeyCache } from './versioned-key-cache.js'

function credential(id: string, scopes: string[] = ['read']): ApiKeyCredential {
  return {
    id,
    accountId: 'acc_1',
    secretHash: 'sha256:x',
    scopes,
    status: 'enabled',
    createdAt: new Date(0),
    name: null,
    description: null,
    metadata: {},
    expiresAt: null,
    replaces: null,
    replacedBy: null,
    accountStatus: 'enabled',
  }
}

describe('VersionedKeyCache', () => {
  it('serves a lookup while the version stays, found or not', () => {
    const cache = new VersionedKeyCache(10)
    expect(cache.get('lk_a', 1)).toBeUndefined()
    cache.set('lk_a', 1, credential('lk_a'))
    cache.set('lk_absent', 1, undefined)
    expect(cache.get('lk_a', 1)?.credential?.id).toBe('lk_a')
    expect(cache.get('lk_absent', 1)).toEqual({ credential: undefined })
  })

  it('forgets everything at a new version, and keeps nothing read at an older one', () => {
    const cache = new VersionedKeyCache(10)
    cache.get('lk_a', 1)
    cache.set('lk_a', 1, credential('lk_a'))
    expect(cache.get('lk_a', 2)).toBeUndefined()
    expect(cache.size).toBe(0)
    // A read that started at version 1 finished after version 2 was seen: it may predate the change.
    cache.set('lk_a', 1, credential('lk_a'))
    expect(cache.get('lk_a', 2)).toBeUndefined()
    cache.set('lk_a', 2, credential('lk_a'))
    expect(cache.get('lk_a', 2)?.credential?.id).toBe('lk_a')
  })

  it('holds at most its capacity, found keys and absent ids sharing one least-recently-used order', () => {
    const cache = new VersionedKeyCache(3)
    cache.get('x', 1)
    cache.set('lk_real', 1, credential('lk_real'))
    cache.set('lk_gone1', 1, undefined)
    cache.set('lk_gone2', 1, undefined)
    expect(cache.get('lk_real', 1)).toBeDefined() // now the most recently used
    for (let i = 0; i < 3; i++) cache.set(`lk_flood${i}`, 1, undefined)
    expect(cache.size).toBe(3)
    // Random ids evict a real key as they evict any other entry: being remembered says nothing of existence.
    expect(cache.get('lk_real', 1)).toBeUndefined()
    expect(cache.get('lk_flood2', 1)).toEqual({ credential: undefined })
  })

  it('freezes what it hands out, so that no caller can change what the next one gets', () => {
    const cache = new VersionedKeyCache(3)
    cache.get('x', 1)
    cache.set('lk_a', 1, credential('lk_a', ['read']))
    const served = cache.get('lk_a', 1)?.credential
    if (!served) throw new Error('Expected the key to be remembered.')
    expect(Object.isFrozen(served)).toBe(true)
    expect(() => (served.scopes as string[]).push('admin')).toThrow(TypeError)
    expect(cache.get('lk_a', 1)?.credential?.scopes).toEqual(['read'])
  })
})
