import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ApiKeyRecord, KeyCredits } from '@latchkey/verifier'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteKeyStore, type SqliteKeyStore } from '../src/index.js'
import { findApiKeySql } from '../src/rows.js'
import { dropVersion5 } from './schema-versions.js'

const root = mkdtempSync(join(tmpdir(), 'latchkey-usage-limits-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let files = 0
const account = {
  id: 'acct_one',
  name: 'Acme',
  email: null,
  status: 'enabled',
  createdAt: new Date(1),
  metadata: {},
} as const

/** An enabled key of `acct_one` made afresh; `overrides` replace any field. */
function keyOf(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    accountId: 'acct_one',
    secretHash: 'sha256:x',
    scopes: [],
    status: 'enabled',
    createdAt: new Date(2),
    name: null,
    description: null,
    metadata: {},
    expiresAt: null,
    replaces: null,
    replacedBy: null,
    ...overrides,
  }
}

const credits = (remaining: number): KeyCredits => ({ remaining, refill: null, refillsAt: null })

describe('SqliteKeyStore usage limits', () => {
  let filename: string
  const opened: SqliteKeyStore[] = []
  function open(): SqliteKeyStore {
    const store = openSqliteKeyStore(filename)
    opened.push(store)
    return store
  }
  /** Runs `read` on a connection of the test's own to the file. */
  function inFile<T>(read: (db: BetterSqlite3.Database) => T): T {
    const db = new BetterSqlite3(filename)
    try {
      return read(db)
    } finally {
      db.close()
    }
  }

  beforeEach(() => {
    files += 1
    filename = join(root, `keys-${files}.db`)
  })
  afterEach(() => {
    for (const store of opened.splice(0)) store.close()
  })

  it('upgrades a version 4 file in place: keys and accounts read back without limits or credits, and take them after', () => {
    const first = open()
    first.insertAccount(account)
    first.insertApiKey(keyOf('lk_one'))
    first.close()
    inFile((db) => db.exec(dropVersion5))
    const store = open()
    expect(inFile((db) => db.pragma('user_version', { simple: true }))).toBe(5)
    expect(store.findApiKey('lk_one')).toEqual({ ...keyOf('lk_one'), accountStatus: 'enabled' })
    expect(store.getAccount('acct_one')).toEqual(account)
    store.updateAccount('acct_one', { rateLimits: [{ count: 5, window: 10 }] })
    store.updateApiKey('lk_one', { credits: credits(3) })
    expect(store.findApiKey('lk_one')).toMatchObject({
      accountRateLimits: [{ count: 5, window: 10 }],
      credits: credits(3),
    })
    expect(store.spendCredits('lk_one', 1, new Date())).toEqual({ spent: true, remaining: 2, refillsAt: null })
    store.recordUsage([{ keyId: 'lk_one', hour: new Date(0), outcome: 'served', count: 1 }], new Date(0))
    expect(store.listUsage({ keyId: 'lk_one', since: new Date(0) })).toHaveLength(1)
  })

  it('stores rate limits as a JSON array, none as NULL, and refuses a column that is not an array', () => {
    const store = open()
    store.insertAccount({ ...account, rateLimits: [{ count: 1000, window: 3600 }] })
    store.insertApiKey(keyOf('lk_one', { rateLimits: [{ count: 10, window: 1 }] }))
    store.insertApiKey(keyOf('lk_two', { rateLimits: [] }))
    inFile((db) => {
      expect(db.prepare('SELECT id, rate_limits FROM api_keys ORDER BY id').all()).toEqual([
        { id: 'lk_one', rate_limits: '[{"count":10,"window":1}]' },
        { id: 'lk_two', rate_limits: null },
      ])
      expect(db.prepare('SELECT rate_limits FROM accounts').pluck().get()).toBe('[{"count":1000,"window":3600}]')
      for (const text of ['{}', '3', 'not json']) {
        expect(() => db.prepare('UPDATE api_keys SET rate_limits = ?').run(text)).toThrow()
      }
    })
  })

  it('fails closed, with ERR_STORE_UNAVAILABLE, on a key or account whose stored limits are not valid', () => {
    const store = open()
    store.insertAccount(account)
    store.insertApiKey(keyOf('lk_one', { rateLimits: [{ count: 10, window: 1 }] }))
    inFile((db) => db.prepare(`UPDATE api_keys SET rate_limits = '[{"count":0,"window":1}]'`).run())
    expect(() => store.findApiKey('lk_one')).toThrow(expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE' }))
    inFile((db) => db.exec(`UPDATE api_keys SET rate_limits = NULL; UPDATE accounts SET rate_limits = '[{"count":1}]'`))
    expect(() => store.findApiKey('lk_one')).toThrow(expect.objectContaining({ code: 'ERR_STORE_UNAVAILABLE' }))
  })

  it('keeps one balance for a key and its replacement, and drops it only once no key names it', () => {
    const store = open()
    store.insertAccount(account)
    store.insertApiKey(keyOf('lk_one', { credits: credits(10) }))
    store.rotateApiKey('lk_one', keyOf('lk_two', { credits: credits(99) }), new Date(Date.now() + 60_000))
    const balances = () => inFile((db) => db.prepare('SELECT id, remaining FROM credit_balances').all())
    expect(balances()).toHaveLength(1)
    // Ending the previous key's metering leaves the replacement's.
    store.updateApiKey('lk_one', { credits: null })
    expect(store.getApiKey('lk_one')?.credits).toBeUndefined()
    expect(store.spendCredits('lk_two', 4, new Date())).toMatchObject({ spent: true, remaining: 6 })
    expect(balances()).toEqual([expect.objectContaining({ remaining: 6 })])
    store.updateApiKey('lk_two', { credits: null })
    expect(balances()).toEqual([])
  })

  it('refuses a negative balance, and leaves the credits when a spend is refused', () => {
    const store = open()
    store.insertAccount(account)
    store.insertApiKey(keyOf('lk_one', { credits: credits(2) }))
    expect(store.spendCredits('lk_one', 3, new Date())).toEqual({ spent: false, remaining: 2, refillsAt: null })
    inFile((db) => {
      expect(db.prepare('SELECT remaining, typeof(remaining) AS type FROM credit_balances').get()).toEqual({
        remaining: 2,
        type: 'integer',
      })
      expect(() => db.prepare('UPDATE credit_balances SET remaining = -1').run()).toThrow()
    })
  })

  it('finds a key in one statement, and spends, lists usage and forgets it through indexes', () => {
    open()
    const db = new BetterSqlite3(filename, { readonly: true })
    try {
      const plan = (sql: string, ...parameters: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[])
          .map((row) => row.detail)
          .join('\n')
      expect(plan(findApiKeySql, 'x')).toMatch(/SEARCH c USING INTEGER PRIMARY KEY/)
      expect(
        plan(
          'UPDATE credit_balances SET remaining = remaining - 1 WHERE id = (SELECT credit_balance_id FROM api_keys WHERE id = ?)',
          'x',
        ),
      ).toMatch(/SEARCH credit_balances USING INTEGER PRIMARY KEY[\s\S]*SEARCH api_keys USING INDEX sqlite_autoindex/)
      expect(plan('SELECT * FROM usage_counts WHERE key_id = ? AND hour >= ? ORDER BY hour, outcome', 'x', 0)).toMatch(
        /SEARCH usage_counts USING PRIMARY KEY \(key_id=\? AND hour>\?\)/,
      )
      expect(plan('SELECT * FROM usage_counts WHERE account_id = ? AND hour >= ?', 'x', 0)).toMatch(
        /INDEX usage_counts_account_id/,
      )
      expect(plan('DELETE FROM usage_counts WHERE hour < ?', 0)).toMatch(/INDEX usage_counts_hour/)
    } finally {
      db.close()
    }
  })

  it("moves no change version for this connection's spends and usage, but does for credit and limit changes", async () => {
    const store = open()
    store.insertAccount(account)
    store.insertApiKey(keyOf('lk_one', { credits: credits(5) }))
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
    await nextTurn()
    const version = store.changeVersion()
    await nextTurn()
    store.spendCredits('lk_one', 1, new Date())
    store.recordUsage([{ keyId: 'lk_one', hour: new Date(0), outcome: 'served', count: 1 }], new Date(0))
    expect(store.changeVersion()).toBe(version)
    await nextTurn()
    store.updateApiKey('lk_one', { credits: credits(9) })
    expect(store.changeVersion()).not.toBe(version)
  })
})
