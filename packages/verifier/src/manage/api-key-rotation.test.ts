import { describe, expect, it } from 'vitest'
import { verifySecret } from '../basic/api-key.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createKeyManager } from './key-manager.js'

const hour = 3_600_000
const day = 24 * hour

async function setUp() {
  let clock = Date.UTC(2030, 0, 1)
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store, { now: () => clock })
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({
    accountId: account.id,
    name: 'staging',
    description: 'CI deploys',
    scopes: ['read', 'write'],
    metadata: { plan: 'pro', limits: { rps: 10 } },
  })
  return {
    store,
    manager,
    account,
    key,
    at: (ms: number) => new Date(clock + ms),
    advance: (ms: number) => (clock += ms),
  }
}

describe('rotateApiKey', () => {
  it('makes a new key copying account, name, description, scopes and metadata, linked both ways', async () => {
    const { store, manager, key, at } = await setUp()
    const { previous, key: replacement } = await manager.rotateApiKey(key.id)
    expect(replacement).toEqual({
      id: expect.stringMatching(/^lk_[A-Za-z0-9]{24}$/),
      secret: expect.stringMatching(/^lksecret_[A-Za-z0-9]{49}$/),
      accountId: key.accountId,
      name: 'staging',
      description: 'CI deploys',
      scopes: ['read', 'write'],
      metadata: { plan: 'pro', limits: { rps: 10 } },
      status: 'enabled',
      createdAt: at(0),
      expiresAt: null,
      replaces: key.id,
      replacedBy: null,
      rateLimits: [],
      credits: null,
    })
    expect(replacement.id).not.toBe(key.id)
    expect(replacement.secret).not.toBe(key.secret)
    expect(verifySecret(replacement.secret, store.getApiKey(replacement.id)?.secretHash)).toBe(true)
    expect(previous).toMatchObject({ id: key.id, status: 'enabled', replacedBy: replacement.id, expiresAt: at(day) })
    expect(previous).not.toHaveProperty('secretHash')
    expect(await manager.getApiKey(key.id)).toEqual(previous)
  })

  it('ends the old key at now + overlap, or sooner when it would expire sooner', async () => {
    const { manager, account, key, at } = await setUp()
    expect((await manager.rotateApiKey(key.id, { overlap: hour })).previous.expiresAt).toEqual(at(hour))
    const early = await manager.createApiKey({ accountId: account.id, expiresAt: at(hour) })
    expect((await manager.rotateApiKey(early.id, { overlap: day })).previous.expiresAt).toEqual(at(hour))
  })

  it('with overlap 0 stops the old key at once, and sets the new key’s expiry when asked', async () => {
    const { manager, key, at } = await setUp()
    const rotation = await manager.rotateApiKey(key.id, { overlap: 0, expiresAt: at(30 * day) })
    expect(rotation.previous.expiresAt).toEqual(at(0))
    expect(rotation.key.expiresAt).toEqual(at(30 * day))
  })

  it('refuses a key rotated already, naming its replacement', async () => {
    const { manager, key } = await setUp()
    const { key: replacement } = await manager.rotateApiKey(key.id)
    await expect(manager.rotateApiKey(key.id)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `API key "${key.id}" was already replaced by "${replacement.id}"; rotate that key instead.`,
    })
    expect((await manager.rotateApiKey(replacement.id)).key.replaces).toBe(replacement.id)
  })

  it('lets exactly one of concurrent rotations win; the others are told which key replaced it', async () => {
    const { manager, key } = await setUp()
    const results = await Promise.allSettled([1, 2, 3].map(() => manager.rotateApiKey(key.id)))
    const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    const lost = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []))
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(2)
    for (const error of lost) expect(error.message).toContain(`already replaced by "${won[0]?.key.id}"`)
    expect(await manager.listApiKeys()).toHaveLength(2)
  })

  it('refuses unknown, revoked, disabled and expired keys, and keys of a disabled account', async () => {
    const { manager, account, key, at, advance } = await setUp()
    const accountId = account.id
    await expect(manager.rotateApiKey('lk_missing')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })

    const revoked = await manager.createApiKey({ accountId })
    await manager.revokeApiKey(revoked.id)
    await expect(manager.rotateApiKey(revoked.id)).rejects.toMatchObject({ code: 'ERR_KEY_REVOKED' })

    const disabled = await manager.createApiKey({ accountId })
    await manager.disableApiKey(disabled.id)
    await expect(manager.rotateApiKey(disabled.id)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `API key "${disabled.id}" is disabled; enable it before rotating it, or create a new key.`,
    })

    const expiring = await manager.createApiKey({ accountId, expiresAt: at(hour) })
    advance(hour)
    await expect(manager.rotateApiKey(expiring.id)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringMatching(/expired at 2030-01-01T01:00:00\.000Z; create a new key/),
    })

    await manager.disableAccount(accountId)
    await expect(manager.rotateApiKey(key.id)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `Account "${accountId}" is disabled; enable it first.`,
    })
    // Nothing was rotated by any refusal.
    expect((await manager.listApiKeys()).every((listed) => listed.replacedBy === null)).toBe(true)
  })

  it('refuses an out-of-range overlap and a past expiry before writing anything', async () => {
    const { manager, key, at } = await setUp()
    for (const overlap of [-1, Number.NaN, 366 * day]) {
      await expect(manager.rotateApiKey(key.id, { overlap })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    }
    await expect(manager.rotateApiKey(key.id, { expiresAt: at(-1) })).rejects.toThrow(/not in the future/)
    expect(await manager.listApiKeys()).toHaveLength(1)
  })
})
