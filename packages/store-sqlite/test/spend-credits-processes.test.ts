import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteKeyStore } from '../src/index.js'
import { race, racer } from './racer.js'

const root = mkdtempSync(join(tmpdir(), 'latchkey-spend-credits-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A key record of `acct_one` with `credits` that are never refilled. */
function keyOf(id: string, createdAt: Date, credits: number) {
  return {
    id,
    accountId: 'acct_one',
    secretHash: `sha256:${id}`,
    scopes: ['read'],
    status: 'enabled',
    createdAt,
    name: null,
    description: null,
    metadata: {},
    expiresAt: null,
    replaces: null,
    replacedBy: null,
    credits: { remaining: credits, refill: null, refillsAt: null },
  } as const
}

describe('SqliteKeyStore.spendCredits across processes', () => {
  it('grants exactly 250 credits to 4 processes making 400 spends at once, through a key and its replacement', async () => {
    const filename = join(root, 'keys.db')
    const setUp = openSqliteKeyStore(filename)
    const createdAt = new Date()
    setUp.insertAccount({ id: 'acct_one', name: 'Acme', email: null, status: 'enabled', createdAt, metadata: {} })
    setUp.insertApiKey(keyOf('lk_one', createdAt, 250))
    // The replacement shares lk_one's balance: two processes spend through each key.
    const rotation = setUp.rotateApiKey('lk_one', keyOf('lk_two', createdAt, 250), new Date(Date.now() + 3_600_000))
    expect(rotation.rotated).toBe(true)
    setUp.close()
    const keys = ['lk_one', 'lk_two', 'lk_one', 'lk_two']
    const answers = await race(keys.map((id) => racer('spend-credits.ts', [filename, id, '100'])))
    const granted = answers.map(Number)
    expect(granted.reduce((sum, each) => sum + each, 0)).toBe(250)
    const store = openSqliteKeyStore(filename)
    const left = [store.getApiKey('lk_one')?.credits?.remaining, store.getApiKey('lk_two')?.credits?.remaining]
    store.close()
    expect(left).toEqual([0, 0])
  }, 40_000)
})
