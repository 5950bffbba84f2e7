import { closeSync, openSync, readSync, realpathSync } from 'node:fs'
import type { Database } from 'better-sqlite3'

/**
 * The first copy of the wal-index header: the first 48 bytes of the `-shm` file. SQLite rewrites it at
 * every commit in WAL mode (its `iChange` counter and `mxFrame` move, and its checksum with them), and
 * recovery and WAL restarts rewrite it too. See https://www.sqlite.org/walformat.html, "The WAL-Index
 * Header".
 */
const headerLength = 48
/** `iVersion`, the header's first field, in the machine's byte order: the wal-index format of SQLite ≥ 3.7.0. */
const walIndexVersion = 3007000

/**
 * Tells, with one `pread` and no lock, whether any connection may have committed since the last look:
 * the header's bytes then differ. Unchanged bytes mean no commit. A changed or torn header only says
 * "look": `PRAGMA data_version` (a read transaction, two `fcntl` calls and more) still decides whose
 * commit it was, so the answers are `data_version`'s, read only when something moved.
 *
 * The unix and Windows VFSes map the `-shm` file shared, so a read of the file sees what a writer wrote
 * through its mapping. The file exists while this connection is open (SQLite deletes it only when the
 * last connection closes), and is found where SQLite puts it: the database's real path (symbolic links
 * followed, as SQLite follows them) and `-shm`. Anything unexpected (an in-memory database, another
 * journal mode, a file that cannot be opened or read, a header of another format) turns the peek
 * off, and every look says "look".
 */
export class WalIndexHeader {
  #fd: number | undefined
  /** The header as last read: at construction, then at every look. */
  #last = Buffer.alloc(headerLength)
  #next = Buffer.alloc(headerLength)

  constructor(db: Database) {
    if (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return
    try {
      this.#fd = openSync(`${realpathSync(db.name)}-shm`, 'r')
    } catch {
      this.#fd = undefined
      return
    }
    // The connection has read the database (it migrated it), so the header is initialised.
    const header = this.#last
    const length = this.#readInto(header)
    const version = header.readUInt32LE(0) === walIndexVersion || header.readUInt32BE(0) === walIndexVersion
    if (length !== headerLength || !version || header[12] !== 1) this.close()
  }

  /** Whether the header may have changed since the last look (or since construction): `true` whenever unsure. */
  moved(): boolean {
    if (this.#readInto(this.#next) !== headerLength) return true
    const moved = !this.#next.equals(this.#last)
    ;[this.#last, this.#next] = [this.#next, this.#last]
    return moved
  }

  /** The header's bytes into `buffer`: their count, 0 once the peek is off (a failed read turns it off). */
  #readInto(buffer: Buffer): number {
    if (this.#fd === undefined) return 0
    try {
      return readSync(this.#fd, buffer, 0, headerLength, 0)
    } catch {
      this.close()
      return 0
    }
  }

  /** Closes the `-shm` file descriptor; every later look says "look". */
  close(): void {
    if (this.#fd === undefined) return
    const fd = this.#fd
    this.#fd = undefined
    try {
      closeSync(fd)
    } catch {
      // Already closed: nothing to release.
    }
  }
}
