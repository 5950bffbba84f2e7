import { describe, expect, it } from 'vitest'
import type { ApiKeyRecord } from './key-store.js'
import { MemoryKeyStore } from './memory-key-store.js'

const at = new Date(Date.UTC(2026, 0, 1))

function key(id: string, changes: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    accountId: 'acct_1',
    secretHash: 'hash',
    status: 'enabled',
    scopes: [],
    name: null,
    description: null,
    metadata: {},
    createdAt: at,
    expiresAt: null,
    replaces: null,
    replacedBy: null,
    ...changes,
  } as ApiKeyRecord
}

function store() {
  const memory = new MemoryKeyStore()
  memory.insertAccount({
    id: 'acct_1',
    name: 'Acme',
    email: null,
    status: 'enabled',
    createdAt: at,
    metadata: {},
    rateLimits: [{ count: 100, window: 3600 }],
  })
  return memory
}

describe('The memory store with usage limits', () => {
  it("gives a key's credits and limits back, its account's with the credential, and spends atomically", () => {
    const memory = store()
    memory.insertApiKey(
      key('key_a', {
        rateLimits: [{ count: 5, window: 10 }],
        credits: { remaining: 2, refill: null, refillsAt: null },
      }),
    )
    expect(memory.findApiKey('key_a')).toMatchObject({
      rateLimits: [{ count: 5, window: 10 }],
      accountRateLimits: [{ count: 100, window: 3600 }],
      credits: { remaining: 2 },
    })
    expect(memory.spendCredits('key_a', 2, at)).toEqual({ spent: true, remaining: 0, refillsAt: null })
    expect(memory.spendCredits('key_a', 1, at)).toEqual({ spent: false, remaining: 0, refillsAt: null })
    expect(memory.spendCredits('key_missing', 1, at)).toBeUndefined()
    memory.insertApiKey(key('key_b'))
    expect(memory.spendCredits('key_b', 1, at)).toBeUndefined()
  })

  it('refills at the refill instant, setting the credits to the amount', () => {
    const memory = store()
    const refill = { amount: 10, interval: 'day' } as const
    memory.insertApiKey(key('key_a', { credits: { remaining: 1, refill, refillsAt: new Date(Date.UTC(2026, 0, 2)) } }))
    expect(memory.spendCredits('key_a', 5, at)).toMatchObject({ spent: false, remaining: 1 })
    expect(memory.spendCredits('key_a', 5, new Date(Date.UTC(2026, 0, 2)))).toEqual({
      spent: true,
      remaining: 5,
      refillsAt: new Date(Date.UTC(2026, 0, 3)),
    })
  })

  it('shares one balance between a key and the key that replaced it by rotation', () => {
    const memory = store()
    memory.insertApiKey(key('key_a', { credits: { remaining: 3, refill: null, refillsAt: null } }))
    const rotated = memory.rotateApiKey(
      'key_a',
      key('key_b', { credits: { remaining: 99, refill: null, refillsAt: null } }),
      at,
    )
    expect(rotated).toMatchObject({ rotated: true, replacement: { credits: { remaining: 3 } } })
    memory.spendCredits('key_b', 2, at)
    expect(memory.getApiKey('key_a')?.credits?.remaining).toBe(1)
    memory.updateApiKey('key_a', { credits: { remaining: 7, refill: null, refillsAt: null } })
    expect(memory.findApiKey('key_b')?.credits?.remaining).toBe(7)
    expect(memory.listApiKeys().map((listed) => listed.credits?.remaining)).toEqual([7, 7])
  })

  it('adds usage counts, skips unknown keys, and forgets hours before the retention', () => {
    const memory = store()
    memory.insertApiKey(key('key_a'))
    const hour = (h: number) => new Date(Date.UTC(2026, 0, 1, h))
    memory.recordUsage(
      [
        { keyId: 'key_a', hour: hour(1), outcome: 'served', count: 3 },
        { keyId: 'key_a', hour: hour(2), outcome: 'refused', count: 1 },
        { keyId: 'key_unknown', hour: hour(2), outcome: 'served', count: 1 },
      ],
      hour(0),
    )
    memory.recordUsage([{ keyId: 'key_a', hour: hour(2), outcome: 'refused', count: 2 }], hour(2))
    expect(memory.listUsage({ accountId: 'acct_1', since: hour(0) })).toEqual([
      { keyId: 'key_a', accountId: 'acct_1', hour: hour(2), outcome: 'refused', count: 3 },
    ])
    expect(memory.listUsage({ keyId: 'key_a', since: hour(3) })).toEqual([])
  })
})
