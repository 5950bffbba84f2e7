import { describe, expect, it } from 'vitest'
import { isIssuedSecretShape, verifySecret } from '../basic/api-key.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createKeyManager } from './key-manager.js'

const hour = 3_600_000

async function setUp() {
  let clock = Date.UTC(2030, 0, 1)
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store, { now: () => clock })
  const account = await manager.createAccount({ name: 'Acme' })
  return { store, manager, account, at: (ms: number) => new Date(clock + ms), advance: (ms: number) => (clock += ms) }
}

describe('createApiKey', () => {
  it('stores every field and hands out a checksummed secret once, never its hash', async () => {
    const { store, manager, account, at } = await setUp()
    const key = await manager.createApiKey({
      accountId: account.id,
      scopes: ['read', 'write', 'read'],
      name: ' staging ',
      description: 'CI deploys',
      metadata: { plan: 'pro' },
      expiresAt: at(hour),
    })
    expect(key).toEqual({
      id: expect.stringMatching(/^lk_[A-Za-z0-9]{24}$/),
      accountId: account.id,
      secret: expect.stringMatching(/^lksecret_[A-Za-z0-9]{49}$/),
      scopes: ['read', 'write'],
      status: 'enabled',
      createdAt: at(0),
      name: 'staging',
      description: 'CI deploys',
      metadata: { plan: 'pro' },
      expiresAt: at(hour),
      replaces: null,
      replacedBy: null,
      rateLimits: [],
      credits: null,
    })
    expect(isIssuedSecretShape(key.secret)).toBe(true)
    expect(verifySecret(key.secret, store.getApiKey(key.id)?.secretHash)).toBe(true)
    expect(await manager.getApiKey(key.id)).not.toHaveProperty('secretHash')
  })

  it('defaults to no scopes, name, description, metadata or expiry', async () => {
    const { manager, account } = await setUp()
    expect(await manager.createApiKey({ accountId: account.id })).toMatchObject({
      scopes: [],
      name: null,
      description: null,
      metadata: {},
      expiresAt: null,
    })
  })

  it('refuses an expiry in the past, bad fields, and unknown or disabled accounts', async () => {
    const { manager, account, at } = await setUp()
    const accountId = account.id
    await expect(manager.createApiKey({ accountId, expiresAt: at(-1) })).rejects.toThrow(/disable or revoke it/)
    await expect(manager.createApiKey({ accountId, name: 'x'.repeat(101) })).rejects.toThrow(/at most 100/)
    await expect(manager.createApiKey({ accountId, scopes: ['a"b'] })).rejects.toThrow(/not a valid scope/)
    await expect(manager.createApiKey({ accountId: 'acct_none' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await manager.disableAccount(accountId)
    await expect(manager.createApiKey({ accountId })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `Account "${accountId}" is disabled; enable it first.`,
    })
    expect(await manager.listApiKeys()).toEqual([])
  })
})

describe('updateApiKey', () => {
  it('changes only the fields given; null or empty removes name, description and expiry', async () => {
    const { manager, account, at } = await setUp()
    const { id } = await manager.createApiKey({
      accountId: account.id,
      name: 'old',
      description: 'text',
      scopes: ['read'],
      metadata: { a: 1 },
      expiresAt: at(hour),
    })
    expect(
      await manager.updateApiKey(id, { name: 'new', scopes: ['write', 'write'], metadata: { b: 2 } }),
    ).toMatchObject({
      name: 'new',
      description: 'text',
      scopes: ['write'],
      metadata: { b: 2 },
      expiresAt: at(hour),
    })
    expect(await manager.updateApiKey(id, { name: '', description: null, expiresAt: null })).toMatchObject({
      name: null,
      description: null,
      expiresAt: null,
    })
    expect(await manager.updateApiKey(id, { expiresAt: at(2 * hour) })).toMatchObject({ expiresAt: at(2 * hour) })
  })

  it('refuses a revoked key, an unknown id, and a past expiry', async () => {
    const { manager, account, at } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id })
    await expect(manager.updateApiKey(id, { expiresAt: at(0) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    await expect(manager.updateApiKey('lk_missing', { name: 'x' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
      message: 'No API key has the id "lk_missing".',
    })
    await manager.revokeApiKey(id)
    await expect(manager.updateApiKey(id, { name: 'x' })).rejects.toMatchObject({
      code: 'ERR_KEY_REVOKED',
      message: `API key "${id}" is revoked; create a new key instead.`,
    })
    await expect(manager.updateApiKey(id, {})).rejects.toMatchObject({ code: 'ERR_KEY_REVOKED' })
    expect((await manager.getApiKey(id)).name).toBeNull()
  })

  it('never repeats a secret given where the id belongs', async () => {
    const { manager, account } = await setUp()
    const { secret } = await manager.createApiKey({ accountId: account.id })
    const error = await manager.updateApiKey(secret, { name: 'x' }).catch((e: Error) => e)
    expect(error).toMatchObject({ code: 'ERR_NOT_FOUND', message: 'No API key has the id given.' })
  })
})

describe('listApiKeys', () => {
  it('lists every key, or one account’s', async () => {
    const { manager, account, advance } = await setUp()
    const other = await manager.createAccount({ name: 'Other' })
    const mine = await manager.createApiKey({ accountId: account.id })
    advance(1)
    const theirs = await manager.createApiKey({ accountId: other.id })
    expect((await manager.listApiKeys()).map((key) => key.id)).toEqual([mine.id, theirs.id])
    expect((await manager.listApiKeys({ accountId: other.id })).map((key) => key.id)).toEqual([theirs.id])
    expect(JSON.stringify(await manager.listApiKeys())).not.toMatch(/secret|sha256/i)
  })

  it('with expiringWithin, lists only live keys expiring in (now, now + window]', async () => {
    const { manager, account, at, advance } = await setUp()
    const accountId = account.id
    const soon = await manager.createApiKey({ accountId, name: 'soon', expiresAt: at(hour) })
    const edge = await manager.createApiKey({ accountId, name: 'edge', expiresAt: at(2 * hour) })
    await manager.createApiKey({ accountId, name: 'later', expiresAt: at(2 * hour + 1) })
    await manager.createApiKey({ accountId, name: 'never' })
    const disabled = await manager.createApiKey({ accountId, name: 'disabled', expiresAt: at(hour) })
    await manager.disableApiKey(disabled.id)
    const revoked = await manager.createApiKey({ accountId, name: 'revoked', expiresAt: at(hour) })
    await manager.revokeApiKey(revoked.id)
    const names = async (expiringWithin: number) =>
      (await manager.listApiKeys({ expiringWithin })).map((key) => key.name).sort()

    expect(await names(2 * hour)).toEqual(['edge', 'soon'])
    advance(hour)
    // `soon` has expired: it is no longer about to.
    expect(await names(hour)).toEqual(['edge'])
    expect(soon.id).not.toBe(edge.id)
  })

  it('refuses a window that is not a positive number', async () => {
    const { manager } = await setUp()
    for (const expiringWithin of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(manager.listApiKeys({ expiringWithin })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    }
  })
})

describe('key status', () => {
  it('disables, enables and revokes for good', async () => {
    const { manager, account } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id })
    expect((await manager.disableApiKey(id)).status).toBe('disabled')
    expect((await manager.enableApiKey(id)).status).toBe('enabled')
    expect((await manager.revokeApiKey(id)).status).toBe('revoked')
    await expect(manager.enableApiKey(id)).rejects.toMatchObject({ code: 'ERR_KEY_REVOKED' })
    await expect(manager.disableApiKey('lk_missing')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
  })
})
