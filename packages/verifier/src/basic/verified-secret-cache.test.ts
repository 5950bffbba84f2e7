import { describe, expect, it } from 'vitest'
import { wrongSecret } from '../../test/wrong-secret.js'
import { createKeyManager } from '../manage/key-manager.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { checkApiKey } from './check-api-key.js'
import { VerifiedSecretCache } from './verified-secret-cache.js'

describe('VerifiedSecretCache', () => {
  it('matches only the exact id, secret and stored hash it was given', () => {
    const cache = new VerifiedSecretCache(10)
    cache.remember('lk_a', 'lksecret_x', 'sha256:h')
    expect(cache.matches('lk_a', 'lksecret_x', 'sha256:h')).toBe(true)
    expect(cache.matches('lk_a', 'lksecret_y', 'sha256:h')).toBe(false)
    expect(cache.matches('lk_b', 'lksecret_x', 'sha256:h')).toBe(false)
    // The key's stored hash is what the secret was checked against: another one is checked again.
    expect(cache.matches('lk_a', 'lksecret_x', 'sha256:other')).toBe(false)
  })

  it('holds at most its capacity, least recently used out first, and nothing at capacity 0', () => {
    const cache = new VerifiedSecretCache(2)
    cache.remember('lk_1', 's', 'h')
    cache.remember('lk_2', 's', 'h')
    // lk_1 is in use: lk_2, matched least recently, goes first.
    expect(cache.matches('lk_1', 's', 'h')).toBe(true)
    cache.remember('lk_3', 's', 'h')
    expect(cache.matches('lk_2', 's', 'h')).toBe(false)
    expect(cache.matches('lk_1', 's', 'h')).toBe(true)
    expect(cache.matches('lk_3', 's', 'h')).toBe(true)
    const none = new VerifiedSecretCache(0)
    none.remember('lk_1', 's', 'h')
    expect(none.matches('lk_1', 's', 'h')).toBe(false)
  })
})

describe('checkApiKey with remembered secrets', () => {
  async function setUp() {
    const store = new MemoryKeyStore()
    const manager = createKeyManager(store)
    const account = await manager.createAccount({ name: 'Acme' })
    const key = await manager.createApiKey({ accountId: account.id })
    const findKey = async (id: string) => store.findApiKey(id)
    return { manager, account, key, findKey, cache: new VerifiedSecretCache(10) }
  }

  it('remembers a matching secret, and never a wrong one', async () => {
    const { key, findKey, cache } = await setUp()
    const stored = (await findKey(key.id))?.secretHash ?? ''
    await expect(checkApiKey(findKey, key.id, wrongSecret(key.secret), cache)).rejects.toMatchObject({
      reason: 'wrong_secret',
    })
    expect(cache.matches(key.id, wrongSecret(key.secret), stored)).toBe(false)
    expect(cache.matches(key.id, key.secret, stored)).toBe(false)
    await checkApiKey(findKey, key.id, key.secret, cache)
    expect(cache.matches(key.id, key.secret, stored)).toBe(true)
    await expect(checkApiKey(findKey, key.id, wrongSecret(key.secret), cache)).rejects.toMatchObject({
      reason: 'wrong_secret',
    })
  })

  it('still refuses a remembered secret once its key is revoked or its account disabled', async () => {
    const { manager, account, key, findKey, cache } = await setUp()
    expect((await checkApiKey(findKey, key.id, key.secret, cache)).id).toBe(key.id)
    await manager.disableApiKey(key.id)
    await expect(checkApiKey(findKey, key.id, key.secret, cache)).rejects.toMatchObject({ reason: 'key_disabled' })
    await manager.enableApiKey(key.id)
    await manager.disableAccount(account.id)
    await expect(checkApiKey(findKey, key.id, key.secret, cache)).rejects.toMatchObject({
      reason: 'account_disabled',
    })
    await manager.enableAccount(account.id)
    expect((await checkApiKey(findKey, key.id, key.secret, cache)).id).toBe(key.id)
    await manager.revokeApiKey(key.id)
    await expect(checkApiKey(findKey, key.id, key.secret, cache)).rejects.toMatchObject({ reason: 'key_revoked' })
  })

  it('refuses a remembered secret when the key is gone', async () => {
    const { key, findKey, cache } = await setUp()
    await checkApiKey(findKey, key.id, key.secret, cache)
    await expect(checkApiKey(async () => undefined, key.id, key.secret, cache)).rejects.toMatchObject({
      reason: 'unknown_key',
    })
  })

  it('remembers the parsed credentials of an Authorization value only when told, and none at capacity 0', () => {
    const credentials = { scheme: 'basic', userId: 'lk_1', password: 'secret' } as const
    const header = `Basic ${btoa('lk_1:secret')}`
    const cache = new VerifiedSecretCache(2)
    expect(cache.knownHeader(header)).toBeUndefined()
    cache.rememberHeader(header, credentials, 'sha256:hash')
    expect(cache.knownHeader(header)).toEqual({ credentials, secretHash: 'sha256:hash' })
    expect(cache.knownHeader(header)?.credentials).toBe(credentials)
    // Exactly the value remembered: another spelling of the scheme is parsed again.
    expect(cache.knownHeader(header.replace('Basic', 'basic'))).toBeUndefined()
    const none = new VerifiedSecretCache(0)
    none.rememberHeader(header, credentials, 'sha256:hash')
    expect(none.knownHeader(header)).toBeUndefined()
  })
})
