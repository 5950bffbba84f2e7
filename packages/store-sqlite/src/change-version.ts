import type { Database, Statement } from 'better-sqlite3'
import { WalIndexHeader } from './wal-index-header.js'

/**
 * How long one reading of `data_version` stands, in ms: a commit by another connection is seen by the
 * requests that start this long after it at the latest.
 */
export const dataVersionReadInterval = 1

/**
 * The number behind `SqliteKeyStore.changeVersion`: bumped at once by this connection's writes, and
 * whenever `PRAGMA data_version` reports a commit by another connection (another process, the CLI),
 * which is the only way SQLite tells one connection of another's writes. The pragma is asked only
 * when the wal-index header moved ({@link WalIndexHeader}): while nothing commits, a reading is one
 * `pread`.
 */
export class ChangeVersion {
  /** Changes whenever another connection commits; never for this connection's commits. */
  readonly #dataVersionQuery: Statement<[], number>
  #version = 0
  #dataVersion: number
  /** When `data_version` was last read (`performance.now()`, ms). */
  #readAt = Number.NEGATIVE_INFINITY
  readonly #header: WalIndexHeader

  constructor(db: Database) {
    this.#dataVersionQuery = db.prepare<[], number>('PRAGMA data_version').pluck()
    // The header before the pragma: a commit between the two moves the header from what was read.
    this.#header = new WalIndexHeader(db)
    this.#dataVersion = this.#dataVersionQuery.get() as number
  }

  /** Records a write by this connection, which `data_version` never reports. */
  bump(): void {
    this.#version++
  }

  /**
   * The current version, read at most once every {@link dataVersionReadInterval} ms: the requests of
   * that millisecond share one reading. A reading is one `pread` of the wal-index header while no
   * connection commits (about 1.5 µs), and `data_version` besides once one did: the pragma starts a
   * read transaction (two `fcntl` calls, 4 µs, some 20 µs cold under load).
   */
  read(): number {
    const at = performance.now()
    if (at - this.#readAt < dataVersionReadInterval) return this.#version
    this.#readAt = at
    if (!this.#header.moved()) return this.#version
    const dataVersion = this.#dataVersionQuery.get() as number
    if (dataVersion !== this.#dataVersion) {
      this.#dataVersion = dataVersion
      this.#version++
    }
    return this.#version
  }

  /** Releases the wal-index header's file descriptor; call when the database closes. */
  close(): void {
    this.#header.close()
  }
}
