import { closeSync, fchmodSync, openSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { isLatchkeyError, LatchkeyError } from '@latchkey/verifier'
import BetterSqlite3 from 'better-sqlite3'
import { migrate } from './migrations.js'

/**
 * Opens (creating when needed) and migrates the database at `filename`, set up for several
 * processes sharing the file; `':memory:'` (or `''`) opens a private in-memory database. A new file
 * is created readable and writable by its owner only (mode 0600): it holds the private signing keys.
 *
 * @param busyTimeout How long a write waits for another connection's write, in ms.
 * @throws {LatchkeyError} `ERR_STORE_UNAVAILABLE` when the file cannot be opened (a missing
 *   directory, no permission) or was written by a newer version of this package.
 */
export function openDatabase(filename: string, busyTimeout: number): BetterSqlite3.Database {
  const inMemory = filename === ':memory:' || filename === ''
  if (!inMemory) {
    const directory = dirname(resolve(filename))
    if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
      throw new LatchkeyError(
        'ERR_STORE_UNAVAILABLE',
        `Cannot open the SQLite database ${filename}: the directory ${directory} does not exist. Create the directory first; the database file itself is created when missing.`,
      )
    }
  }
  let db: BetterSqlite3.Database | undefined
  try {
    if (!inMemory) createPrivateFile(filename)
    db = new BetterSqlite3(filename, { timeout: busyTimeout })
    // Set per connection; journal_mode = WAL alone is stored in the file. WAL lets readers go on
    // while one writer writes, and with it synchronous = NORMAL is durable across crashes of the
    // process (only a power loss can drop the last commits).
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    migrate(db, filename)
    return db
  } catch (error) {
    db?.close()
    if (isLatchkeyError(error)) throw error
    throw new LatchkeyError(
      'ERR_STORE_UNAVAILABLE',
      `Cannot open the SQLite database ${filename}: ${error instanceof Error ? error.message : String(error)}. Check that the path is a writable SQLite file.`,
      { cause: error },
    )
  }
}

/**
 * Creates `filename` empty, mode 0600, unless it exists. SQLite would create it 0644 less the umask;
 * it reads an empty file as a new database, and its unix VFS gives the -wal, -shm and -journal
 * files the database file's own bits, so they are private too.
 */
function createPrivateFile(filename: string): void {
  let fd: number
  try {
    // O_EXCL: a file that exists, or that another process creates meanwhile, is left as it is.
    fd = openSync(filename, 'wx', 0o600)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return
    throw error
  }
  try {
    // The umask can only narrow the mode; a narrower one (0400) would leave the owner unable to write.
    if (process.platform !== 'win32') fchmodSync(fd, 0o600)
  } finally {
    closeSync(fd)
  }
}
