import type { Database, Statement } from 'better-sqlite3'

/**
 * How long one reading of `data_version` stands, in ms: a commit by another connection is seen by the
 * requests that start this long after it at the latest.
 */
export const dataVersionReadInterval = 1

/**
 * The number behind `SqliteKeyStore.changeVersion`: bumped at once by this connection's writes, and
 * whenever `PRAGMA data_version` reports a commit by another connection (another process, the CLI),
 * which is the only way SQLite tells one connection of another's writes.
 */
export class ChangeVersion {
  /** Changes whenever another connection commits; never for this connection's commits. */
  readonly #dataVersionQuery: Statement<[], number>
  #version = 0
  #dataVersion: number | undefined
  /** When `data_version` was last read (`performance.now()`, ms). */
  #readAt = Number.NEGATIVE_INFINITY

  constructor(db: Database) {
    this.#dataVersionQuery = db.prepare<[], number>('PRAGMA data_version').pluck()
  }

  /** Records a write by this connection, which `data_version` never reports. */
  bump(): void {
    this.#version++
  }

  /**
   * The current version. `data_version` starts a read transaction (two `fcntl` calls, 1–2 µs, more
   * under load), so it is read at most once every {@link dataVersionReadInterval} ms, and the
   * requests of that millisecond share one reading.
   */
  read(): number {
    const at = performance.now()
    if (at - this.#readAt < dataVersionReadInterval) return this.#version
    this.#readAt = at
    const dataVersion = this.#dataVersionQuery.get()
    if (dataVersion !== this.#dataVersion) {
      this.#dataVersion = dataVersion
      this.#version++
    }
    return this.#version
  }
}
