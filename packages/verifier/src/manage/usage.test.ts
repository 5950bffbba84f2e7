import { describe, expect, it } from 'vitest'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createKeyManager } from './key-manager.js'

const hour = 3_600_000
const now = Date.UTC(2030, 0, 15, 10, 30)
const at = (hoursAgo: number) => new Date(Date.UTC(2030, 0, 15, 10) - hoursAgo * hour)

async function setUp() {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store, { now: () => now })
  const acme = await manager.createAccount({ name: 'Acme' })
  const other = await manager.createAccount({ name: 'Other' })
  const first = await manager.createApiKey({ accountId: acme.id })
  const second = await manager.createApiKey({ accountId: acme.id })
  const foreign = await manager.createApiKey({ accountId: other.id })
  store.recordUsage(
    [
      { keyId: first.id, hour: at(30), outcome: 'served', count: 9 },
      { keyId: first.id, hour: at(2), outcome: 'served', count: 5 },
      { keyId: first.id, hour: at(2), outcome: 'rate_limited', count: 2 },
      { keyId: second.id, hour: at(2), outcome: 'served', count: 1 },
      { keyId: second.id, hour: at(0), outcome: 'credits_exhausted', count: 4 },
      { keyId: foreign.id, hour: at(0), outcome: 'refused', count: 3 },
    ],
    new Date(0),
  )
  return { manager, acme, first, second }
}

describe('keyUsage and accountUsage', () => {
  it('return the counts of the last 24 hours by default, of the key or of all the account’s keys', async () => {
    const { manager, acme, first, second } = await setUp()
    expect(await manager.keyUsage(first.id)).toEqual([
      { keyId: first.id, accountId: acme.id, hour: at(2), outcome: 'rate_limited', count: 2 },
      { keyId: first.id, accountId: acme.id, hour: at(2), outcome: 'served', count: 5 },
    ])
    const rows = await manager.accountUsage(acme.id)
    expect(rows.map((row) => [row.keyId, row.hour.getTime(), row.outcome, row.count])).toEqual(
      expect.arrayContaining([
        [first.id, at(2).getTime(), 'served', 5],
        [first.id, at(2).getTime(), 'rate_limited', 2],
        [second.id, at(2).getTime(), 'served', 1],
        [second.id, at(0).getTime(), 'credits_exhausted', 4],
      ]),
    )
    expect(rows).toHaveLength(4)
  })

  it('reach back to since', async () => {
    const { manager, first } = await setUp()
    expect(await manager.keyUsage(first.id, { since: at(30) })).toHaveLength(3)
    expect(await manager.keyUsage(first.id, { since: at(1) })).toEqual([])
  })

  it('refuse unknown ids and an invalid since', async () => {
    const { manager, first } = await setUp()
    await expect(manager.keyUsage('lk_missing')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(manager.accountUsage('acct_missing')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(manager.keyUsage(first.id, { since: new Date(Number.NaN) })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
