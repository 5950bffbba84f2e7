import { describe, expect, it } from 'vitest'
import { checkApiKey } from './credential-check.js'
import { createKeyManager } from './key-manager.js'
import type { ApiKeyCredential } from './key-store.js'
import { MemoryKeyStore } from './memory-key-store.js'

async function setUp() {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Timing' })
  const key = await manager.createApiKey({ accountId: account.id })
  const reads: Array<{ id: string; found: boolean }> = []
  const findKey = async (id: string): Promise<ApiKeyCredential | undefined> => {
    const found = store.findApiKey(id)
    reads.push({ id, found: found !== undefined })
    return found
  }
  return { key, reads, findKey }
}

const unknownId = 'lk_000000000000000000000000'

describe('checkApiKey lookups', () => {
  it('reads one present and one absent key for a known id and for an unknown one alike', async () => {
    const { key, reads, findKey } = await setUp()
    await expect(checkApiKey(findKey, key.id, `${key.secret}x`, true)).rejects.toMatchObject({ reason: 'wrong_secret' })
    expect(reads.map((read) => read.found)).toEqual([true, false])
    reads.length = 0
    await expect(checkApiKey(findKey, unknownId, key.secret, true)).rejects.toMatchObject({ reason: 'unknown_key' })
    expect(reads.map((read) => read.found)).toEqual([false, true])
    // The decoy read is thrown away: the unknown id never borrows the real key's identity.
    expect(reads[1]?.id).toBe(key.id)
  })

  it('still accepts the right secret, and reads only once when lookups are not balanced', async () => {
    const { key, reads, findKey } = await setUp()
    expect((await checkApiKey(findKey, key.id, key.secret, true)).id).toBe(key.id)
    reads.length = 0
    await checkApiKey(findKey, key.id, key.secret, false)
    await expect(checkApiKey(findKey, unknownId, key.secret, false)).rejects.toMatchObject({ reason: 'unknown_key' })
    expect(reads.map((read) => read.found)).toEqual([true, false])
  })

  it('reads nothing for a malformed id', async () => {
    const { key, reads, findKey } = await setUp()
    await expect(checkApiKey(findKey, 'not an id', key.secret, true)).rejects.toMatchObject({ reason: 'malformed_key' })
    expect(reads).toEqual([])
  })
})
