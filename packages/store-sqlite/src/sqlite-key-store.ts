import { statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import {
  type Account,
  type AccountStatus,
  type ApiKeyCredential,
  type ApiKeyRecord,
  type ApiKeyStatus,
  isLatchkeyError,
  type KeyStore,
  LatchkeyError,
  type SigningKeyRecord,
} from '@latchkey/verifier'
import BetterSqlite3 from 'better-sqlite3'
import { migrate } from './migrations.js'
import {
  type AccountRow,
  type ApiKeyCredentialRow,
  type ApiKeyRow,
  accountToRow,
  apiKeyToRow,
  rowToAccount,
  rowToApiKey,
  rowToApiKeyCredential,
  rowToSigningKey,
  type SigningKeyRow,
  signingKeyToRow,
} from './rows.js'

/** Options of {@link openSqliteKeyStore}. */
export interface SqliteKeyStoreOptions {
  /**
   * How long a write waits for another connection's write to finish before it throws `SQLITE_BUSY`,
   * in milliseconds. A server and CLI processes may write to one file at once. Default: `5000`.
   */
  readonly busyTimeout?: number | undefined
}

const apiKeyColumns = 'id, account_id, secret_hash, scopes, status, created_at, last_used_at'
const signingKeyColumns = 'kid, alg, public_jwk, private_jwk, created_at, activates_at, expires_at'
const accountColumns = 'id, name, email, status, created_at'

/**
 * A {@link KeyStore} in one SQLite file, through better-sqlite3: synchronous, so every method
 * returns a plain value. The file is created, with its schema, when it does not exist; its
 * directory must exist. WAL mode lets one server process and CLI processes use the file at once.
 * Call {@link SqliteKeyStore.close} when done.
 *
 * Inserting a duplicate id or `kid` throws a {@link LatchkeyError} `ERR_INVALID_ARGUMENT`, and a key
 * whose account does not exist `ERR_NOT_FOUND`; any other database failure is thrown as it comes.
 *
 * @throws {LatchkeyError} `ERR_STORE_UNAVAILABLE` from the constructor when the file cannot be
 *   opened (a missing directory, no permission) or was written by a newer version of this package.
 */
export class SqliteKeyStore implements KeyStore {
  readonly #db: BetterSqlite3.Database
  readonly #statements
  readonly #setApiKeyStatus
  readonly #touchApiKeys
  /** Bumped by this connection's writes, and whenever `PRAGMA data_version` reports another's. */
  #version = 0
  #dataVersion: number | undefined
  /** Whether `data_version` was read in the current event-loop turn. */
  #readThisTurn = false
  readonly #endTurn = () => {
    this.#readThisTurn = false
  }

  /**
   * Opens (creating when needed) and migrates the database at `filename`; `':memory:'` opens a
   * private in-memory database.
   */
  constructor(filename: string, options: SqliteKeyStoreOptions = {}) {
    this.#db = openDatabase(filename, options.busyTimeout ?? 5000)
    const db = this.#db
    this.#statements = {
      // Changes whenever another connection (process) commits; never for this connection's commits.
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      findApiKey: db.prepare<[string], ApiKeyCredentialRow>(
        `SELECT k.id, k.account_id, k.secret_hash, k.scopes, k.status, k.created_at, a.status AS account_status
         FROM api_keys AS k JOIN accounts AS a ON a.id = k.account_id WHERE k.id = ?`,
      ),
      insertAccount: db.prepare<AccountRow>(
        `INSERT INTO accounts (${accountColumns}) VALUES (@id, @name, @email, @status, @created_at)`,
      ),
      getAccount: db.prepare<[string], AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE id = ?`),
      listAccounts: db.prepare<[], AccountRow>(`SELECT ${accountColumns} FROM accounts ORDER BY created_at, id`),
      setAccountStatus: db.prepare<[AccountStatus, string], AccountRow>(
        `UPDATE accounts SET status = ? WHERE id = ? RETURNING ${accountColumns}`,
      ),
      insertApiKey: db.prepare<ApiKeyRow>(
        `INSERT INTO api_keys (${apiKeyColumns})
         VALUES (@id, @account_id, @secret_hash, @scopes, @status, @created_at, @last_used_at)`,
      ),
      getApiKey: db.prepare<[string], ApiKeyRow>(`SELECT ${apiKeyColumns} FROM api_keys WHERE id = ?`),
      listApiKeys: db.prepare<[], ApiKeyRow>(`SELECT ${apiKeyColumns} FROM api_keys ORDER BY created_at, id`),
      listAccountApiKeys: db.prepare<[string], ApiKeyRow>(
        `SELECT ${apiKeyColumns} FROM api_keys WHERE account_id = ? ORDER BY created_at, id`,
      ),
      // The WHERE clause, not a read before the write, keeps `revoked` final: no interleaving of
      // processes can bring a revoked key back.
      setApiKeyStatus: db.prepare<[ApiKeyStatus, string]>(
        `UPDATE api_keys SET status = ? WHERE id = ? AND status != 'revoked'`,
      ),
      // Only forward: instances flushing out of order never move lastUsedAt back.
      touchApiKey: db.prepare<{ id: string; at: number }>(
        `UPDATE api_keys SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)`,
      ),
      listSigningKeys: db.prepare<[], SigningKeyRow>(
        `SELECT ${signingKeyColumns} FROM signing_keys ORDER BY created_at, kid`,
      ),
      // Expiry only moves earlier; NULL stands for "no expiry yet", which SQLite's MIN would keep.
      expireSigningKey: db.prepare<{ kid: string; expires_at: number }, SigningKeyRow>(
        `UPDATE signing_keys SET expires_at = CASE WHEN expires_at IS NULL THEN @expires_at ELSE MIN(expires_at, @expires_at) END
         WHERE kid = @kid RETURNING ${signingKeyColumns}`,
      ),
      insertSigningKey: db.prepare<SigningKeyRow>(
        `INSERT INTO signing_keys (${signingKeyColumns})
         VALUES (@kid, @alg, @public_jwk, @private_jwk, @created_at, @activates_at, @expires_at)`,
      ),
    }
    // One IMMEDIATE transaction, so the key returned is the one this call left, not one another
    // process changed in between.
    this.#setApiKeyStatus = db.transaction((id: string, status: ApiKeyStatus): ApiKeyRecord | undefined => {
      this.#statements.setApiKeyStatus.run(status, id)
      return this.getApiKey(id)
    }).immediate
    this.#touchApiKeys = db.transaction((uses: ReadonlyMap<string, Date>): void => {
      for (const [id, at] of uses) this.#statements.touchApiKey.run({ id, at: at.getTime() })
    }).immediate
  }

  findApiKey(id: string): ApiKeyCredential | undefined {
    const row = this.#statements.findApiKey.get(id)
    return row && rowToApiKeyCredential(row)
  }

  /**
   * Changes whenever this connection or any other (another process, the CLI) has committed a change:
   * a counter for this connection's writes, at once, and `PRAGMA data_version` for the others'. The
   * verifier serves key lookups from memory while it stays the same.
   *
   * `data_version` starts a read transaction (two `fcntl` calls, several µs under load), so it is
   * read at most once per event-loop turn: the requests handled in one turn share one reading. A
   * change committed elsewhere is thus seen from the first turn that starts after it, within
   * microseconds to a millisecond or two under load; a request that arrives after the commit has
   * returned is handled in a later turn, so to it revocation is immediate.
   */
  changeVersion(): number {
    if (this.#readThisTurn) return this.#version
    this.#readThisTurn = true
    setImmediate(this.#endTurn)
    const dataVersion = this.#statements.dataVersion.get()
    if (dataVersion !== this.#dataVersion) {
      this.#dataVersion = dataVersion
      this.#version++
    }
    return this.#version
  }

  insertAccount(account: Account): void {
    try {
      this.#version++
      this.#statements.insertAccount.run(accountToRow(account))
    } catch (error) {
      throw constraintError(error, `An account with the id ${JSON.stringify(account.id)} already exists.`)
    }
  }

  getAccount(id: string): Account | undefined {
    const row = this.#statements.getAccount.get(id)
    return row && rowToAccount(row)
  }

  listAccounts(): Account[] {
    return this.#statements.listAccounts.all().map(rowToAccount)
  }

  setAccountStatus(id: string, status: AccountStatus): Account | undefined {
    this.#version++
    const row = this.#statements.setAccountStatus.get(status, id)
    return row && rowToAccount(row)
  }

  insertApiKey(key: ApiKeyRecord): void {
    try {
      this.#version++
      this.#statements.insertApiKey.run(apiKeyToRow(key))
    } catch (error) {
      throw constraintError(
        error,
        `An API key with the id ${JSON.stringify(key.id)} already exists.`,
        `No account has the id ${JSON.stringify(key.accountId)}; create the account before its keys.`,
      )
    }
  }

  getApiKey(id: string): ApiKeyRecord | undefined {
    const row = this.#statements.getApiKey.get(id)
    return row && rowToApiKey(row)
  }

  listApiKeys(filter: { readonly accountId?: string } = {}): ApiKeyRecord[] {
    const rows =
      filter.accountId === undefined
        ? this.#statements.listApiKeys.all()
        : this.#statements.listAccountApiKeys.all(filter.accountId)
    return rows.map(rowToApiKey)
  }

  setApiKeyStatus(id: string, status: ApiKeyStatus): ApiKeyRecord | undefined {
    this.#version++
    return this.#setApiKeyStatus(id, status)
  }

  /**
   * Moves each key's `lastUsedAt` forward, in one transaction. better-sqlite3 waits synchronously,
   * so while another process holds the write lock this waits 50 ms at most, not the busy timeout,
   * and then throws: the verifier keeps the uses for its next batch rather than stall requests.
   */
  touchApiKeys(uses: ReadonlyMap<string, Date>): void {
    if (uses.size === 0) return
    const busyTimeout = this.#db.pragma('busy_timeout', { simple: true }) as number
    this.#db.pragma('busy_timeout = 50')
    try {
      this.#touchApiKeys(uses)
    } finally {
      this.#db.pragma(`busy_timeout = ${busyTimeout}`)
    }
  }

  listSigningKeys(): SigningKeyRecord[] {
    return this.#statements.listSigningKeys.all().map(rowToSigningKey)
  }

  insertSigningKey(key: SigningKeyRecord): void {
    try {
      this.#statements.insertSigningKey.run(signingKeyToRow(key))
    } catch (error) {
      throw constraintError(error, `A signing key with the kid ${JSON.stringify(key.kid)} already exists.`)
    }
  }

  expireSigningKey(kid: string, expiresAt: Date): SigningKeyRecord | undefined {
    const row = this.#statements.expireSigningKey.get({ kid, expires_at: expiresAt.getTime() })
    return row && rowToSigningKey(row)
  }

  /** Closes the database file. The store cannot be used afterwards. */
  close(): void {
    this.#db.close()
  }
}

/**
 * Opens (creating when needed) and migrates the SQLite key store at `filename`. The directory must
 * exist. Close the store when done.
 *
 * @example
 * const store = openSqliteKeyStore('/var/lib/latchkey/keys.db')
 *
 * @throws {LatchkeyError} `ERR_STORE_UNAVAILABLE` when the file cannot be opened (a missing
 *   directory, no permission) or was written by a newer version of this package.
 */
export function openSqliteKeyStore(filename: string, options?: SqliteKeyStoreOptions): SqliteKeyStore {
  return new SqliteKeyStore(filename, options)
}

function openDatabase(filename: string, busyTimeout: number): BetterSqlite3.Database {
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
 * Turns SQLite's constraint errors into messages that name the record; any other error passes
 * through unchanged, since it means the database itself failed.
 */
function constraintError(error: unknown, duplicate: string, missingAccount?: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new LatchkeyError('ERR_INVALID_ARGUMENT', duplicate, { cause: error })
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && missingAccount !== undefined) {
    return new LatchkeyError('ERR_NOT_FOUND', missingAccount, { cause: error })
  }
  return error
}
