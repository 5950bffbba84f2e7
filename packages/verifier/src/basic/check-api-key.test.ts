import { describe, expect, it } from 'vitest'
import { wrongSecret } from '../../test/wrong-secret.js'
import { createKeyManager } from '../manage/key-manager.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { checkApiKey } from './check-api-key.js'

async function setUp() {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Checks' })
  const key = await manager.createApiKey({ accountId: account.id })
  const reads: string[] = []
  const findKey = async (id: string): Promise<ApiKeyCredential | undefined> => {
    reads.push(id)
    return store.findApiKey(id)
  }
  return { store, manager, key, reads, findKey }
}

const unknownId = 'lk_000000000000000000000000'

describe('checkApiKey', () => {
  it('accepts the right secret and refuses a wrong one, an unknown id and a revoked key alike', async () => {
    const { key, findKey, manager } = await setUp()
    expect((await checkApiKey(findKey, key.id, key.secret)).id).toBe(key.id)
    await expect(checkApiKey(findKey, key.id, wrongSecret(key.secret))).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIALS',
      reason: 'wrong_secret',
    })
    await expect(checkApiKey(findKey, unknownId, key.secret)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIALS',
      reason: 'unknown_key',
    })
    await manager.revokeApiKey(key.id)
    await expect(checkApiKey(findKey, key.id, key.secret)).rejects.toMatchObject({
      code: 'ERR_INVALID_CREDENTIALS',
      reason: 'key_revoked',
    })
  })

  it('refuses a stored hash it cannot read, whatever the secret', async () => {
    const { key, findKey, store } = await setUp()
    const record = store.findApiKey(key.id)
    const corrupt = { ...record, secretHash: 'sha256:***' } as ApiKeyCredential
    await expect(checkApiKey(async () => corrupt, key.id, key.secret)).rejects.toMatchObject({ reason: 'wrong_secret' })
    const otherScheme = { ...record, secretHash: `bcrypt:${record?.secretHash.slice(7)}` } as ApiKeyCredential
    await expect(checkApiKey(async () => otherScheme, key.id, key.secret)).rejects.toMatchObject({
      reason: 'wrong_secret',
    })
    expect((await checkApiKey(findKey, key.id, key.secret)).id).toBe(key.id)
  })

  it('reads nothing for a malformed id', async () => {
    const { key, reads, findKey } = await setUp()
    await expect(checkApiKey(findKey, 'not\tan id', key.secret)).rejects.toMatchObject({ reason: 'malformed_key' })
    expect(reads).toEqual([])
  })
})
