import { describe, expect, it } from 'vitest'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createKeyManager } from './key-manager.js'

const now = Date.UTC(2030, 0, 1)

function setUp() {
  const store = new MemoryKeyStore()
  return { store, manager: createKeyManager(store, { now: () => now }) }
}

describe('accounts', () => {
  it('are created enabled, with trimmed name, email and metadata, at the manager clock', async () => {
    const { manager } = setUp()
    const account = await manager.createAccount({ name: ' Acme ', email: 'ops@acme.test', metadata: { plan: 'pro' } })
    expect(account).toEqual({
      id: expect.stringMatching(/^acct_[A-Za-z0-9]{20}$/),
      name: 'Acme',
      email: 'ops@acme.test',
      status: 'enabled',
      createdAt: new Date(now),
      metadata: { plan: 'pro' },
    })
    expect(await manager.getAccount(account.id)).toEqual(account)
    expect((await manager.createAccount({ name: 'Bare' })).metadata).toEqual({})
  })

  it('refuse bad metadata before anything is stored', async () => {
    const { manager } = setUp()
    await expect(manager.createAccount({ name: 'Acme', metadata: { a: () => 1 } as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: 'Metadata value at a must be JSON: got a function.',
    })
    expect(await manager.listAccounts()).toEqual([])
  })

  it('update changes only the fields given, metadata as a whole', async () => {
    const { manager } = setUp()
    const { id } = await manager.createAccount({
      name: 'Acme',
      email: 'a@acme.test',
      metadata: { plan: 'pro', seats: 3 },
    })
    expect(await manager.updateAccount(id, { metadata: { seats: 5 } })).toMatchObject({
      name: 'Acme',
      email: 'a@acme.test',
      metadata: { seats: 5 },
    })
    expect(await manager.updateAccount(id, { name: ' Acme Corp ', email: null })).toMatchObject({
      name: 'Acme Corp',
      email: null,
      metadata: { seats: 5 },
    })
    expect(await manager.updateAccount(id, {})).toMatchObject({ name: 'Acme Corp' })
  })

  it('update refuses an unknown account and bad fields, writing nothing', async () => {
    const { manager } = setUp()
    const { id } = await manager.createAccount({ name: 'Acme' })
    await expect(manager.updateAccount('acct_missing', { name: 'X' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
      message: 'No account has the id "acct_missing".',
    })
    await expect(manager.updateAccount('acct_missing', {})).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(manager.updateAccount(id, { name: 'ok', metadata: [] as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
    await expect(manager.updateAccount(id, { name: '\n' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    expect((await manager.getAccount(id)).name).toBe('Acme')
  })
})
