import type {
  Account,
  AccountChanges,
  AccountStatus,
  ApiKeyChanges,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyRotationResult,
  ApiKeyStatus,
  CreditSpend,
  KeyStore,
  RevokedToken,
  SigningKeyRecord,
  UsageCount,
  UsageFilter,
  UsageRow,
} from '@latchkey/verifier'
import type { Database } from 'better-sqlite3'
import { AccountQueries } from './account-queries.js'
import { ApiKeyQueries } from './api-key-queries.js'
import { ApiKeyRotation } from './api-key-rotation.js'
import { ChangeVersion } from './change-version.js'
import { CreditQueries } from './credit-queries.js'
import { openDatabase } from './open-database.js'
import { RevokedTokenQueries } from './revoked-token-queries.js'
import { SigningKeyQueries } from './signing-key-queries.js'
import { UsageQueries } from './usage-queries.js'

/** Options of {@link openSqliteKeyStore}. */
export interface SqliteKeyStoreOptions {
  /**
   * How long a write waits for another connection's write to finish before it throws `SQLITE_BUSY`,
   * in milliseconds. A server and CLI processes may write to one file at once. Default: `5000`.
   */
  readonly busyTimeout?: number | undefined
}

/**
 * A {@link KeyStore} in one SQLite file, through better-sqlite3: synchronous, so every method
 * returns a plain value. The file is created, with its schema, when it does not exist; its
 * directory must exist. WAL mode lets one server process and CLI processes use the file at once.
 * Call {@link SqliteKeyStore.close} when done.
 *
 * Inserting a duplicate id or `kid` throws a `LatchkeyError` `ERR_INVALID_ARGUMENT`, and a key
 * whose account does not exist `ERR_NOT_FOUND`; any other database failure is thrown as it comes.
 *
 * @throws {LatchkeyError} `ERR_STORE_UNAVAILABLE` from the constructor when the file cannot be
 *   opened (a missing directory, no permission) or was written by a newer version of this package.
 */
export class SqliteKeyStore implements KeyStore {
  // The queries live with their table; this class decides which writes change what the verifier
  // caches, and so bump the change version.
  readonly #db: Database
  readonly #changes: ChangeVersion
  readonly #accounts: AccountQueries
  readonly #apiKeys: ApiKeyQueries
  readonly #credits: CreditQueries
  readonly #usage: UsageQueries
  readonly #rotation: ApiKeyRotation
  readonly #revokedTokens: RevokedTokenQueries
  readonly #signingKeys: SigningKeyQueries

  /**
   * Opens (creating when needed) and migrates the database at `filename`; `':memory:'` opens a
   * private in-memory database.
   */
  constructor(filename: string, options: SqliteKeyStoreOptions = {}) {
    this.#db = openDatabase(filename, options.busyTimeout ?? 5000)
    this.#changes = new ChangeVersion(this.#db)
    this.#accounts = new AccountQueries(this.#db)
    this.#credits = new CreditQueries(this.#db)
    this.#apiKeys = new ApiKeyQueries(this.#db, this.#credits)
    this.#usage = new UsageQueries(this.#db)
    this.#rotation = new ApiKeyRotation(this.#db, this.#apiKeys)
    this.#revokedTokens = new RevokedTokenQueries(this.#db)
    this.#signingKeys = new SigningKeyQueries(this.#db)
  }

  findApiKey(id: string): ApiKeyCredential | undefined {
    return this.#apiKeys.find(id)
  }

  /**
   * Changes whenever this connection or any other (another process, the CLI) has committed a change:
   * a counter for this connection's writes, at once, and `PRAGMA data_version` for the others'. The
   * verifier serves key lookups from memory while it stays the same.
   *
   * `data_version` starts a read transaction (two `fcntl` calls, 4 µs, more under load), so it is
   * read at most once a millisecond, and in WAL mode only when the wal-index header in the `-shm` file
   * moved (one `pread`): the requests of that millisecond share one reading. A change
   * committed elsewhere is thus seen by every request that starts a millisecond after the commit; a
   * request sent once the committing process (the CLI) has exited comes later than that.
   */
  changeVersion(): number {
    return this.#changes.read()
  }

  insertAccount(account: Account): void {
    this.#changes.bump()
    this.#accounts.insert(account)
  }

  getAccount(id: string): Account | undefined {
    return this.#accounts.get(id)
  }

  listAccounts(): Account[] {
    return this.#accounts.list()
  }

  setAccountStatus(id: string, status: AccountStatus): Account | undefined {
    this.#changes.bump()
    return this.#accounts.setStatus(id, status)
  }

  updateAccount(id: string, changes: AccountChanges): Account | undefined {
    this.#changes.bump()
    return this.#accounts.update(id, changes)
  }

  insertApiKey(key: ApiKeyRecord): void {
    this.#changes.bump()
    this.#apiKeys.insert(key)
  }

  getApiKey(id: string): ApiKeyRecord | undefined {
    return this.#apiKeys.get(id)
  }

  listApiKeys(filter: { readonly accountId?: string } = {}): ApiKeyRecord[] {
    return this.#apiKeys.list(filter)
  }

  setApiKeyStatus(id: string, status: ApiKeyStatus): ApiKeyRecord | undefined {
    this.#changes.bump()
    return this.#apiKeys.setStatus(id, status)
  }

  updateApiKey(id: string, changes: ApiKeyChanges): ApiKeyRecord | undefined {
    this.#changes.bump()
    return this.#apiKeys.update(id, changes)
  }

  /**
   * Inserts the replacement and links the keys in one IMMEDIATE transaction whose UPDATE's WHERE
   * clause decides: of every connection and process rotating one key, exactly one succeeds.
   */
  rotateApiKey(id: string, replacement: ApiKeyRecord, expiresAt: Date): ApiKeyRotationResult {
    this.#changes.bump()
    return this.#rotation.rotate(id, replacement, expiresAt)
  }

  /**
   * Spends `cost` credits of key `id` (of the balance it shares by rotation) in one UPDATE, refilled
   * first when due at `now`: atomic against every connection and process on the file, and durable
   * once it returns (WAL with synchronous = NORMAL survives a crash of the process). A refused spend
   * takes a short IMMEDIATE transaction to report the balance. While another process writes, it
   * waits up to the busy timeout.
   */
  spendCredits(id: string, cost: number, now: Date): CreditSpend | undefined {
    // No bump: spending changes nothing the verifier caches.
    return this.#credits.spend(id, cost, now)
  }

  /**
   * Adds usage counts and forgets those before `retainFrom`, in one transaction that, like
   * {@link SqliteKeyStore.touchApiKeys}, waits 50 ms at most for another process's write lock.
   */
  recordUsage(counts: readonly UsageCount[], retainFrom: Date): void {
    // No bump: usage is not announced.
    this.#usage.record(counts, retainFrom)
  }

  listUsage(filter: UsageFilter): UsageRow[] {
    return this.#usage.list(filter)
  }

  /**
   * Moves each key's `lastUsedAt` forward, in one transaction. better-sqlite3 waits synchronously,
   * so while another process holds the write lock this waits 50 ms at most, not the busy timeout,
   * and then throws: the verifier keeps the uses for its next batch rather than stall requests.
   */
  touchApiKeys(uses: ReadonlyMap<string, Date>): void {
    // No bump: a use changes nothing the verifier caches.
    this.#apiKeys.touch(uses)
  }

  /**
   * Remembers a revoked access token (RFC 7009) until `token.expiresAt`, and forgets the revocations
   * of every key that expire at or before `now`, in one IMMEDIATE transaction. `findApiKey` lists
   * the token in its key's `revokedTokens`; the change version moves, so verifiers re-read the key.
   *
   * @throws {LatchkeyError} `ERR_NOT_FOUND` when no key has the id `token.keyId`.
   */
  revokeAccessToken(token: RevokedToken, now: Date): void {
    this.#changes.bump()
    this.#revokedTokens.revoke(token, now)
  }

  listSigningKeys(): SigningKeyRecord[] {
    return this.#signingKeys.list()
  }

  insertSigningKey(key: SigningKeyRecord): void {
    this.#signingKeys.insert(key)
  }

  /**
   * Inserts `key` when the file holds no signing key, in one IMMEDIATE transaction: of every
   * connection and process racing on the file, one inserts and the others get its key.
   */
  insertFirstSigningKey(key: SigningKeyRecord): SigningKeyRecord {
    return this.#signingKeys.insertFirst(key)
  }

  expireSigningKey(kid: string, expiresAt: Date): SigningKeyRecord | undefined {
    return this.#signingKeys.expire(kid, expiresAt)
  }

  replaceSigningKeyPrivateKey(kid: string, privateJwk: SigningKeyRecord['privateJwk']): SigningKeyRecord | undefined {
    return this.#signingKeys.replacePrivateKey(kid, privateJwk)
  }

  /** Closes the database file. The store cannot be used afterwards. */
  close(): void {
    this.#changes.close()
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
