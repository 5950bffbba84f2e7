import type { Database, Statement } from 'better-sqlite3'

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
  /** Whether `data_version` was read in the current event-loop turn. */
  #readThisTurn = false
  readonly #endTurn = () => {
    this.#readThisTurn = false
  }

  constructor(db: Database) {
    this.#dataVersionQuery = db.prepare<[], number>('PRAGMA data_version').pluck()
  }

  /** Records a write by this connection, which `data_version` never reports. */
  bump(): void {
    this.#version++
  }

  /**
   * The current version. `data_version` starts a read transaction (two `fcntl` calls, several µs
   * under load), so it is read at most once per event-loop turn and the requests of one turn share
   * one reading.
   */
  read(): number {
    if (this.#readThisTurn) return this.#version
    this.#readThisTurn = true
    setImmediate(this.#endTurn)
    const dataVersion = this.#dataVersionQuery.get()
    if (dataVersion !== this.#dataVersion) {
      this.#dataVersion = dataVersion
      this.#version++
    }
    return this.#version
  }
}
