import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { dataVersionReadInterval } from '../src/change-version.js'
import { openSqliteKeyStore, type SqliteKeyStore } from '../src/index.js'

/**
 * The change version reads the wal-index header first and asks `data_version` only when it moved
 * (wal-index-header.ts). These cases are those where a wrong peek would miss another connection's
 * commit: the WAL reset by a checkpoint, and a database opened through a symbolic link.
 */
const root = mkdtempSync(join(tmpdir(), 'latchkey-change-version-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const opened: (SqliteKeyStore | BetterSqlite3.Database)[] = []
afterEach(() => {
  for (const handle of opened.splice(0)) handle.close()
})

const afterInterval = () => new Promise((resolve) => setTimeout(resolve, 2 * dataVersionReadInterval))
const account = (id: string) =>
  ({ id, name: id, email: null, status: 'enabled', createdAt: new Date(), metadata: {} }) as const

/** Whether `store`'s change version moves from one reading to the next, each reading past the interval. */
function watch(store: SqliteKeyStore): () => Promise<boolean> {
  let version = store.changeVersion()
  return async () => {
    await afterInterval()
    const now = store.changeVersion()
    const moved = now !== version
    version = now
    return moved
  }
}

describe('SqliteKeyStore.changeVersion in WAL mode', () => {
  it("sees another connection's commits after the WAL was checkpointed, truncated and restarted", async () => {
    const filename = join(root, 'checkpointed.db')
    const server = openSqliteKeyStore(filename)
    const cli = openSqliteKeyStore(filename)
    const raw = new BetterSqlite3(filename)
    opened.push(server, cli, raw)
    const changed = watch(server)
    cli.insertAccount(account('acct_a'))
    expect(await changed()).toBe(true)
    expect(await changed()).toBe(false)
    let disabled = false
    for (const mode of ['PASSIVE', 'RESTART', 'TRUNCATE']) {
      raw.pragma(`wal_checkpoint(${mode})`)
      // A checkpoint changes no row: the version may stay, but the next commit must move it.
      await changed()
      disabled = !disabled
      cli.setAccountStatus('acct_a', disabled ? 'disabled' : 'enabled')
      expect(await changed(), mode).toBe(true)
      expect(await changed(), mode).toBe(false)
    }
  })

  it("sees another connection's commits when the database is opened through a symbolic link", async () => {
    const filename = join(root, 'target.db')
    const link = join(root, 'link.db')
    openSqliteKeyStore(filename).close()
    symlinkSync(filename, link)
    const cli = openSqliteKeyStore(filename)
    opened.push(cli)
    cli.insertAccount(account('acct_b'))
    // A stale -shm beside the link, as a crash or a copy could leave: SQLite never writes it, since it
    // follows the link, and a peek at it would never see a commit.
    copyFileSync(`${filename}-shm`, `${link}-shm`)
    const server = openSqliteKeyStore(link)
    opened.push(server)
    const changed = watch(server)
    expect(await changed()).toBe(false)
    for (const status of ['disabled', 'enabled', 'disabled'] as const) {
      cli.setAccountStatus('acct_b', status)
      expect(await changed(), status).toBe(true)
      expect(server.findApiKey('lk_none')).toBeUndefined()
    }
  })

  it('keeps an in-memory database’s version to its own writes', async () => {
    const store = openSqliteKeyStore(':memory:')
    opened.push(store)
    const changed = watch(store)
    expect(await changed()).toBe(false)
    store.insertAccount(account('acct_c'))
    expect(await changed()).toBe(true)
    expect(await changed()).toBe(false)
  })
})
