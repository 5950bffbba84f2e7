import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeKeyStoreConformance } from '@latchkey/store-conformance'
import { isLatchkeyError } from '@latchkey/verifier'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { dataVersionReadInterval } from '../src/change-version.js'
import { openSqliteKeyStore, type SqliteKeyStore } from '../src/index.js'
import { findApiKeySql } from '../src/rows.js'
import { dropVersion5 } from './schema-versions.js'

const root = mkdtempSync(join(tmpdir(), 'latchkey-store-sqlite-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let files = 0
/** A path for a database file no test has used. */
function newFilename(): string {
  files += 1
  return join(root, `keys-${files}.db`)
}

let lastFilename = ''
describeKeyStoreConformance(
  'SqliteKeyStore',
  async () => {
    lastFilename = newFilename()
    const store = openSqliteKeyStore(lastFilename)
    return { store, close: async () => store.close() }
  },
  {
    reopen: async () => {
      const store = openSqliteKeyStore(lastFilename)
      return { store, close: async () => store.close() }
    },
    // Another connection to the same file, as another process has.
    connect: async () => {
      const store = openSqliteKeyStore(lastFilename)
      return { store, close: async () => store.close() }
    },
    unreachable: async () => {
      // A closed handle is what a file that can no longer be read looks like to the store's callers.
      const store = openSqliteKeyStore(newFilename())
      store.close()
      return { store, close: async () => {} }
    },
  },
)

/** Reads a pragma through a connection of its own, as another process would. */
function pragma(filename: string, name: string): unknown {
  const db = new BetterSqlite3(filename, { readonly: true })
  try {
    return db.pragma(name, { simple: true })
  } finally {
    db.close()
  }
}

/** The fields of a key made afresh: no name, description, metadata, expiry or rotation links. */
const noDetails = { name: null, description: null, metadata: {}, expiresAt: null, replaces: null, replacedBy: null }

/** An enabled key record of `accountId`. */
function keyOf(id: string, accountId = 'acct_one') {
  return {
    id,
    accountId,
    secretHash: 'sha256:x',
    scopes: [],
    status: 'enabled',
    createdAt: new Date(),
    ...noDetails,
  } as const
}

/** What `run` throws; fails the test when it returns. */
function errorOf(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('Expected a throw.')
}

describe('SqliteKeyStore', () => {
  let filename: string
  const opened: SqliteKeyStore[] = []
  function open(): SqliteKeyStore {
    const store = openSqliteKeyStore(filename)
    opened.push(store)
    return store
  }

  beforeEach(() => {
    filename = newFilename()
  })
  afterEach(() => {
    for (const store of opened.splice(0)) store.close()
  })

  it('creates the schema at version 5 and keeps it on reopen, data included', () => {
    const first = open()
    first.insertAccount({
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    first.close()
    expect(pragma(filename, 'user_version')).toBe(5)
    const second = open()
    open()
    expect(pragma(filename, 'user_version')).toBe(5)
    expect(second.listAccounts().map((account) => account.id)).toEqual(['acct_one'])
  })

  it('upgrades a version 1 file in place: keys kept, lastUsedAt, the version 3 fields and revoked tokens added', () => {
    const db = new BetterSqlite3(filename)
    // Version 1 as the first release created it, with a key in it.
    db.exec(`
      CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, status TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
      CREATE TABLE api_keys (id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (id), secret_hash TEXT NOT NULL,
        scopes TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
      CREATE TABLE signing_keys (kid TEXT PRIMARY KEY, alg TEXT NOT NULL, public_jwk TEXT NOT NULL, private_jwk TEXT NOT NULL,
        created_at INTEGER NOT NULL, activates_at INTEGER NOT NULL, expires_at INTEGER) STRICT;
      INSERT INTO accounts VALUES ('acct_one', 'Acme', NULL, 'enabled', 1);
      INSERT INTO api_keys VALUES ('lk_one', 'acct_one', 'sha256:x', '["read"]', 'enabled', 2);
      PRAGMA user_version = 1;
    `)
    db.close()
    const store = open()
    expect(pragma(filename, 'user_version')).toBe(5)
    expect(store.getApiKey('lk_one')).toEqual({
      id: 'lk_one',
      accountId: 'acct_one',
      secretHash: 'sha256:x',
      scopes: ['read'],
      status: 'enabled',
      createdAt: new Date(2),
      ...noDetails,
    })
    store.touchApiKeys(new Map([['lk_one', new Date(3)]]))
    expect(store.getApiKey('lk_one')?.lastUsedAt).toEqual(new Date(3))
    store.revokeAccessToken({ jti: 'jti-a', keyId: 'lk_one', expiresAt: new Date(10) }, new Date(4))
    expect(store.findApiKey('lk_one')?.revokedTokens).toEqual(new Set(['jti-a']))
  })

  it('upgrades a version 2 file in place: accounts and keys read back with no metadata, expiry or links, and take them after', () => {
    open().close()
    // Version 2 as an earlier release left it: the version 5 and 4 tables, the version 3 columns and index dropped again.
    const db = new BetterSqlite3(filename)
    db.exec(`
      ${dropVersion5}
      DROP TABLE revoked_tokens;
      DROP INDEX api_keys_replaced_by;
      ALTER TABLE api_keys DROP COLUMN name;
      ALTER TABLE api_keys DROP COLUMN description;
      ALTER TABLE api_keys DROP COLUMN metadata;
      ALTER TABLE api_keys DROP COLUMN expires_at;
      ALTER TABLE api_keys DROP COLUMN replaces;
      ALTER TABLE api_keys DROP COLUMN replaced_by;
      ALTER TABLE accounts DROP COLUMN metadata;
      INSERT INTO accounts VALUES ('acct_one', 'Acme', NULL, 'enabled', 1);
      INSERT INTO api_keys VALUES ('lk_one', 'acct_one', 'sha256:x', '["read"]', 'enabled', 2, 5);
      PRAGMA user_version = 2;
    `)
    db.close()
    const store = open()
    expect(pragma(filename, 'user_version')).toBe(5)
    expect(store.getAccount('acct_one')?.metadata).toEqual({})
    expect(store.findApiKey('lk_one')).toEqual({
      id: 'lk_one',
      accountId: 'acct_one',
      secretHash: 'sha256:x',
      scopes: ['read'],
      status: 'enabled',
      createdAt: new Date(2),
      ...noDetails,
      accountStatus: 'enabled',
    })
    expect(store.getApiKey('lk_one')?.lastUsedAt).toEqual(new Date(5))
    expect(store.updateApiKey('lk_one', { name: 'old', metadata: { a: 1 } })).toMatchObject({ name: 'old' })
    expect(store.rotateApiKey('lk_one', keyOf('lk_two'), new Date(10))).toMatchObject({ rotated: true })
    expect(store.findApiKey('lk_one')).toMatchObject({ replacedBy: 'lk_two', expiresAt: new Date(10) })
  })

  it('upgrades a version 3 file in place: keys read back with no revoked token, and take them after', () => {
    const key = keyOf('lk_one')
    const first = open()
    first.insertAccount({
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    first.insertApiKey(key)
    first.close()
    // Version 3 as an earlier release left it: no revoked_tokens table.
    const db = new BetterSqlite3(filename)
    db.exec(`
      ${dropVersion5}
      DROP TABLE revoked_tokens;
      PRAGMA user_version = 3;
    `)
    db.close()
    const store = open()
    expect(pragma(filename, 'user_version')).toBe(5)
    expect(store.findApiKey('lk_one')).toEqual({ ...key, accountStatus: 'enabled' })
    store.revokeAccessToken({ jti: 'jti-a', keyId: 'lk_one', expiresAt: new Date(Date.now() + 60_000) }, new Date())
    expect(store.findApiKey('lk_one')?.revokedTokens).toEqual(new Set(['jti-a']))
  })

  it('stores revoked tokens as integer milliseconds in a STRICT table, and refuses one of an unknown key with ERR_NOT_FOUND', () => {
    const store = open()
    store.insertAccount({
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    store.insertApiKey(keyOf('lk_one'))
    store.revokeAccessToken({ jti: 'jti-a', keyId: 'lk_one', expiresAt: new Date(4321) }, new Date(1000))
    for (const [expiresAt, now] of [
      [60_000, 1000],
      [1000, 2000],
    ] as const) {
      const error = errorOf(() =>
        store.revokeAccessToken({ jti: 'jti-b', keyId: 'lk_none', expiresAt: new Date(expiresAt) }, new Date(now)),
      )
      expect(isLatchkeyError(error) && error.code).toBe('ERR_NOT_FOUND')
      expect((error as Error).message).toBe(
        'No API key has the id "lk_none"; a token can be revoked only while its key exists.',
      )
    }
    const db = new BetterSqlite3(filename)
    try {
      // The failed revocations rolled back their purge too: the row expired at 4321 ms is still there.
      expect(
        db.prepare('SELECT key_id, jti, expires_at, typeof(expires_at) AS type FROM revoked_tokens').all(),
      ).toEqual([{ key_id: 'lk_one', jti: 'jti-a', expires_at: 4321, type: 'integer' }])
      expect(() => db.prepare("UPDATE revoked_tokens SET expires_at = 'tomorrow'").run()).toThrow()
    } finally {
      db.close()
    }
  })

  it("reads a key's revoked tokens through the primary key in the lookup's statement, and purges through the expiry index", () => {
    open()
    const db = new BetterSqlite3(filename, { readonly: true })
    try {
      const plan = (sql: string) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as { detail: string }[]).map((row) => row.detail).join('\n')
      expect(plan(findApiKeySql)).toMatch(/SEARCH r USING PRIMARY KEY \(key_id=\?\)/)
      expect(plan('DELETE FROM revoked_tokens WHERE expires_at <= ?')).toMatch(
        /USING .*INDEX revoked_tokens_expires_at/,
      )
    } finally {
      db.close()
    }
  })

  it('stores metadata as JSON text, expiry as integer milliseconds, and refuses metadata that is not a JSON object', () => {
    const store = open()
    store.insertAccount({
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: { a: 1 },
    })
    store.insertApiKey({ ...keyOf('lk_one'), metadata: { plan: 'pro', n: [1] }, expiresAt: new Date(4321) })
    const db = new BetterSqlite3(filename)
    try {
      expect(db.prepare('SELECT metadata, expires_at, typeof(expires_at) AS type FROM api_keys').get()).toEqual({
        metadata: '{"plan":"pro","n":[1]}',
        expires_at: 4321,
        type: 'integer',
      })
      expect(db.prepare('SELECT metadata FROM accounts').get()).toEqual({ metadata: '{"a":1}' })
      for (const metadata of ['[1]', '"text"', 'null', 'not json']) {
        expect(() => db.prepare('UPDATE api_keys SET metadata = ?').run(metadata)).toThrow()
        expect(() => db.prepare('UPDATE accounts SET metadata = ?').run(metadata)).toThrow()
      }
      // STRICT: an expiry that is not an integer is refused rather than stored.
      expect(() => db.prepare("UPDATE api_keys SET expires_at = 'tomorrow'").run()).toThrow()
    } finally {
      db.close()
    }
    expect(store.findApiKey('lk_one')?.metadata).toEqual({ plan: 'pro', n: [1] })
  })

  it('names the replacement id in the error of a rotation to a taken id, and changes nothing', () => {
    const store = open()
    store.insertAccount({
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    store.insertApiKey(keyOf('lk_one'))
    store.insertApiKey(keyOf('lk_two'))
    expect(() => store.rotateApiKey('lk_one', keyOf('lk_two'), new Date())).toThrow(
      'An API key with the id "lk_two" already exists.',
    )
    // An operator's link to an id that has no key yet: the unique index still refuses a second one.
    const db = new BetterSqlite3(filename)
    db.prepare("UPDATE api_keys SET replaced_by = 'lk_three' WHERE id = 'lk_two'").run()
    db.close()
    expect(() => store.rotateApiKey('lk_one', keyOf('lk_three'), new Date())).toThrow(
      'An API key with the id "lk_three" already replaced another; give the replacement a new id.',
    )
    expect(store.getApiKey('lk_one')).toMatchObject({ replacedBy: null, expiresAt: null })
    expect(store.getApiKey('lk_three')).toBeUndefined()
  })

  it('gives up recording lastUsedAt within about 50 ms while another connection holds the write lock', () => {
    const store = open()
    store.insertAccount({
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    const other = new BetterSqlite3(filename)
    other.exec('BEGIN IMMEDIATE')
    try {
      const started = performance.now()
      expect(() => store.touchApiKeys(new Map([['lk_one', new Date()]]))).toThrow()
      expect(performance.now() - started).toBeLessThan(1000)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    // The busy timeout of everything else is back to its setting.
    expect(store.listAccounts()).toHaveLength(1)
  })

  it('puts the database in WAL mode', () => {
    open()
    expect(pragma(filename, 'journal_mode')).toBe('wal')
  })

  it('refuses a database written by a newer version, saying to upgrade', () => {
    open().close()
    const db = new BetterSqlite3(filename)
    db.pragma('user_version = 99')
    db.close()
    const error = errorOf(() => open())
    expect(isLatchkeyError(error) && error.code).toBe('ERR_STORE_UNAVAILABLE')
    expect((error as Error).message).toMatch(/schema version 99, newer .* Upgrade @latchkey\/store-sqlite/)
    expect(pragma(filename, 'user_version')).toBe(99)
  })

  it('refuses a path whose directory does not exist, naming it and saying to create it', () => {
    const error = errorOf(() => openSqliteKeyStore(join(root, 'no-such-directory', 'keys.db')))
    expect(isLatchkeyError(error) && error.code).toBe('ERR_STORE_UNAVAILABLE')
    expect((error as Error).message).toContain(
      `the directory ${join(root, 'no-such-directory')} does not exist. Create the directory first`,
    )
  })

  it('shows a revoke made by one connection to another at once', () => {
    // Two stores on one file stand for the server and a CLI process.
    const server = open()
    const cli = open()
    cli.insertAccount({
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    cli.insertApiKey({
      id: 'lk_one',
      accountId: 'acct_one',
      secretHash: 'sha256:x',
      scopes: [],
      status: 'enabled',
      createdAt: new Date(),
      ...noDetails,
    })
    expect(server.findApiKey('lk_one')?.status).toBe('enabled')
    cli.setApiKeyStatus('lk_one', 'revoked')
    expect(server.findApiKey('lk_one')?.status).toBe('revoked')
    expect(server.setApiKeyStatus('lk_one', 'enabled')?.status).toBe('revoked')
    cli.setAccountStatus('acct_one', 'disabled')
    expect(server.findApiKey('lk_one')?.accountStatus).toBe('disabled')
  })

  it("changes its change version for every write, its own at once and other connections' within a millisecond", async () => {
    const server = open()
    const cli = open()
    // Past the interval during which one reading of data_version stands.
    const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 2 * dataVersionReadInterval))
    const account = {
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    } as const
    const key = { ...keyOf('lk_one'), accountId: 'acct_one' }
    let version = server.changeVersion()
    const changed = () => {
      const now = server.changeVersion()
      const moved = now !== version
      version = now
      return moved
    }
    // This connection's writes: seen at once, even within one turn.
    server.insertAccount(account)
    expect(changed()).toBe(true)
    server.insertApiKey(key)
    expect(changed()).toBe(true)
    server.updateApiKey('lk_one', { scopes: ['read'], expiresAt: new Date() })
    expect(changed()).toBe(true)
    server.updateAccount('acct_one', { metadata: { plan: 'pro' } })
    expect(changed()).toBe(true)
    server.rotateApiKey('lk_one', keyOf('lk_rotated'), new Date())
    expect(changed()).toBe(true)
    server.setApiKeyStatus('lk_one', 'disabled')
    expect(changed()).toBe(true)
    server.setAccountStatus('acct_one', 'disabled')
    expect(changed()).toBe(true)
    server.revokeAccessToken({ jti: 'jti-a', keyId: 'lk_one', expiresAt: new Date(Date.now() + 60_000) }, new Date())
    expect(changed()).toBe(true)
    // Reads and lastUsedAt change nothing.
    server.findApiKey('lk_one')
    server.touchApiKeys(new Map([['lk_one', new Date()]]))
    await nextTurn()
    expect(changed()).toBe(false)
    // Another connection's commits: seen once the interval has passed (data_version is read once a millisecond).
    for (const write of [
      () => cli.setApiKeyStatus('lk_one', 'enabled'),
      () => cli.setAccountStatus('acct_one', 'enabled'),
      () => cli.insertApiKey(keyOf('lk_two', 'acct_one')),
      () => cli.updateApiKey('lk_two', { name: 'renamed', metadata: { plan: 'free' } }),
      () => cli.rotateApiKey('lk_two', keyOf('lk_three'), new Date()),
      () =>
        cli.revokeAccessToken({ jti: 'jti-b', keyId: 'lk_one', expiresAt: new Date(Date.now() + 60_000) }, new Date()),
      () => cli.setApiKeyStatus('lk_one', 'revoked'),
    ]) {
      await nextTurn()
      expect(changed()).toBe(false)
      write()
      await nextTurn()
      expect(changed()).toBe(true)
    }
    await nextTurn()
    expect(changed()).toBe(false)
  })

  it('waits busyTimeout milliseconds for another writer, then throws SQLITE_BUSY', () => {
    open()
    const other = new BetterSqlite3(filename)
    other.prepare('BEGIN IMMEDIATE').run()
    try {
      const store = openSqliteKeyStore(filename, { busyTimeout: 100 })
      opened.push(store)
      const started = performance.now()
      const error = errorOf(() =>
        store.insertAccount({
          id: 'acct_one',
          name: 'Acme',
          email: null,
          status: 'enabled',
          createdAt: new Date(),
          metadata: {},
        }),
      )
      expect(performance.now() - started).toBeGreaterThanOrEqual(90)
      expect((error as { code?: unknown }).code).toBe('SQLITE_BUSY')
    } finally {
      other.prepare('ROLLBACK').run()
      other.close()
    }
  })

  it('names the duplicate or the missing account in the errors of inserts', () => {
    const store = open()
    const account = {
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    } as const
    store.insertAccount(account)
    expect(() => store.insertAccount(account)).toThrow('An account with the id "acct_one" already exists.')
    expect(() =>
      store.insertApiKey({
        id: 'lk_one',
        accountId: 'acct_none',
        secretHash: 'sha256:x',
        scopes: [],
        status: 'enabled',
        createdAt: new Date(),
        ...noDetails,
      }),
    ).toThrow('No account has the id "acct_none"')
  })

  it('stores timestamps as integer milliseconds and scopes as JSON text', () => {
    const store = open()
    store.insertAccount({
      id: 'acct_one',
      name: 'Acme',
      email: null,
      status: 'enabled',
      createdAt: new Date(1234),
      metadata: {},
    })
    store.insertApiKey({
      id: 'lk_one',
      accountId: 'acct_one',
      secretHash: 'sha256:x',
      scopes: ['read', 'a:b/c.d'],
      status: 'enabled',
      createdAt: new Date(5678),
      ...noDetails,
    })
    const db = new BetterSqlite3(filename, { readonly: true })
    try {
      expect(db.prepare('SELECT created_at, typeof(created_at) AS type, scopes FROM api_keys').get()).toEqual({
        created_at: 5678,
        type: 'integer',
        scopes: '["read","a:b/c.d"]',
      })
    } finally {
      db.close()
    }
  })
})
