import { describe, expect, it } from 'vitest'
import type { Account, AccountChanges, ApiKeyChanges, ApiKeyRecord, KeyStore } from '../store/key-store.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createKeyManager } from './key-manager.js'

/**
 * A store as written before usage limits: it compiles (the limit fields and methods are optional)
 * but keeps none of them. The manager must refuse rather than leave a key uncapped.
 */
class PreLimitsStore extends MemoryKeyStore {
  override insertApiKey({ rateLimits: _, credits: __, ...key }: ApiKeyRecord): void {
    super.insertApiKey(key)
  }
  override updateApiKey(id: string, { rateLimits: _, credits: __, ...changes }: ApiKeyChanges) {
    return super.updateApiKey(id, changes)
  }
  override updateAccount(id: string, { rateLimits: _, ...changes }: AccountChanges): Account | undefined {
    return super.updateAccount(id, changes)
  }
}

async function setUp() {
  const store = new PreLimitsStore()
  // Nor has it the methods a store of this version has.
  Object.assign(store, { spendCredits: undefined, recordUsage: undefined, listUsage: undefined })
  const manager = createKeyManager(store as KeyStore)
  const account = await manager.createAccount({ name: 'Acme' })
  return { store, manager, account }
}

const upgrade = 'use a store that supports usage limits'

describe('a store that cannot keep usage limits', () => {
  it('gets no key with credits: refused before anything is written', async () => {
    const { manager, account } = await setUp()
    await expect(manager.createApiKey({ accountId: account.id, credits: 5 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining(
        `This key store cannot spend credits (it has no spendCredits method); ${upgrade}`,
      ),
    })
    expect(await manager.listApiKeys()).toEqual([])
  })

  it('gets no usable key whose rate limits it dropped: the key is revoked unused', async () => {
    const { manager, account } = await setUp()
    const error = await manager
      .createApiKey({ accountId: account.id, rateLimits: [{ count: 5, window: 10 }] })
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringMatching(/did not keep the rate limits .* was revoked unused\.$/),
    })
    expect(await manager.listApiKeys()).toMatchObject([{ status: 'revoked' }])
  })

  it('refuses limits on an update of a key or an account, and still takes the rest', async () => {
    const { manager, account } = await setUp()
    const { id } = await manager.createApiKey({ accountId: account.id })
    await expect(manager.updateApiKey(id, { rateLimits: [{ count: 5, window: 10 }] })).rejects.toThrow(
      /did not keep the rate limits/,
    )
    await expect(manager.updateApiKey(id, { refill: { amount: 5, interval: 'day' } })).rejects.toThrow(
      /cannot spend credits/,
    )
    await expect(manager.updateAccount(account.id, { rateLimits: [{ count: 5, window: 10 }] })).rejects.toThrow(
      /did not keep the rate limits/,
    )
    // Removing what it never had is no loss.
    expect(await manager.updateApiKey(id, { rateLimits: [], credits: null, name: 'ci' })).toMatchObject({ name: 'ci' })
  })

  it('cannot be asked for usage', async () => {
    const { manager, account } = await setUp()
    await expect(manager.accountUsage(account.id)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('does not keep usage counts (it has no listUsage method)'),
    })
  })
})
