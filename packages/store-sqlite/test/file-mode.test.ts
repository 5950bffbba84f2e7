import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqliteKeyStore } from '../src/index.js'

const root = mkdtempSync(join(tmpdir(), 'latchkey-store-sqlite-mode-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function modeOf(file: string): string {
  return (statSync(file).mode & 0o777).toString(8)
}

const account = {
  id: 'acct_00000000000000000001',
  name: 'Acme',
  email: null,
  status: 'enabled',
  createdAt: new Date(0),
  metadata: {},
} as const

// The database holds the private signing keys: anyone who can read it can mint tokens.
describe.skipIf(process.platform === 'win32')('file permissions', () => {
  let umask: number
  beforeEach(() => {
    // The most permissive umask: whatever the files get then, they get from the store, not from it.
    umask = process.umask(0o000)
  })
  afterEach(() => {
    process.umask(umask)
  })

  it('creates a new database, and its -wal and -shm files once written, readable by the owner only', () => {
    const filename = join(root, 'new.db')
    const store = openSqliteKeyStore(filename)
    try {
      store.insertAccount(account)
      expect(existsSync(`${filename}-wal`)).toBe(true)
      expect(existsSync(`${filename}-shm`)).toBe(true)
      expect([modeOf(filename), modeOf(`${filename}-wal`), modeOf(`${filename}-shm`)]).toEqual(['600', '600', '600'])
    } finally {
      store.close()
    }
    expect(modeOf(filename)).toBe('600')
  })

  it('opens an empty file another process created meanwhile as a new database, leaving its mode alone', () => {
    const filename = join(root, 'raced.db')
    closeSync(openSync(filename, 'wx', 0o640))
    const store = openSqliteKeyStore(filename)
    try {
      store.insertAccount(account)
      expect(store.getAccount(account.id)?.name).toBe('Acme')
      expect(modeOf(`${filename}-wal`)).toBe('640')
    } finally {
      store.close()
    }
    expect(modeOf(filename)).toBe('640')
  })

  it('leaves an in-memory database without files', () => {
    const store = openSqliteKeyStore(':memory:')
    store.insertAccount(account)
    store.close()
    expect(existsSync(':memory:')).toBe(false)
  })
})
