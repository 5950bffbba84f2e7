import {
  type Account,
  type AccountChanges,
  type AccountStatus,
  type ApiKeyChanges,
  type ApiKeyCredential,
  type ApiKeyRecord,
  type ApiKeyRotationResult,
  type ApiKeyStatus,
  type CreditSpend,
  type FailureLimiter,
  type FailureLimiterFactory,
  type FailureLimiterOptions,
  isLatchkeyError,
  type KeyStore,
  type KeyStoreSubscription,
  type KeyStoreWatchListener,
  LatchkeyError,
  type RateLimitCounter,
  type RateLimitCounterFactory,
  type RateLimitCounterOptions,
  type RevokedToken,
  type SigningKeyRecord,
  type UsageCount,
  type UsageFilter,
  type UsageRow,
} from '@latchkey/verifier'
import type pg from 'pg'
import { getAccount, insertAccount, listAccounts, setAccountStatus, updateAccount } from './account-queries.js'
import {
  findApiKey,
  getApiKey,
  insertApiKey,
  listApiKeys,
  setApiKeyStatus,
  touchApiKeys,
  updateApiKey,
} from './api-key-queries.js'
import { rotateApiKey } from './api-key-rotation.js'
import type { ChangeFeed } from './change-feed.js'
import { createConnections, type PostgresKeyStoreOptions } from './connections.js'
import { type CounterTable, counterTable } from './counter-table.js'
import { spendCredits } from './credit-spend.js'
import { postgresFailureLimiter } from './failure-limiter.js'
import { migrate } from './migrations.js'
import { postgresRateLimitCounter } from './rate-limit-counter.js'
import { revokeAccessToken } from './revoked-token-queries.js'
import {
  expireSigningKey,
  insertFirstSigningKey,
  insertSigningKey,
  listSigningKeys,
  replaceSigningKeyPrivateKey,
} from './signing-key-queries.js'
import { listUsage, recordUsage } from './usage-queries.js'

/**
 * A {@link KeyStore} in PostgreSQL, through a `pg` connection pool, for several instances sharing
 * accounts, keys and signing keys. Its change feed ({@link PostgresKeyStore.watch}, one `LISTEN`
 * connection fed by triggers) lets every verifier cache key statuses and still honour a revocation
 * made anywhere within milliseconds.
 *
 * The constructor connects to nothing; {@link PostgresKeyStore.migrate} (or
 * {@link openPostgresKeyStore}, which calls it) creates or upgrades the schema.
 *
 * Inserting a duplicate id or `kid` throws a {@link LatchkeyError} `ERR_INVALID_ARGUMENT`, and a key
 * whose account does not exist `ERR_NOT_FOUND`; a database that cannot be reached throws the
 * driver's error, which the verifier answers with `503`.
 */
export class PostgresKeyStore implements KeyStore {
  // The queries live with their table; this class owns the connections and the order of writes.
  readonly #pool: pg.Pool
  readonly #feed: ChangeFeed
  /**
   * Status writes and other changes of this store, one after the other: with a pool they would
   * otherwise reach the database in any order, and a caller could see a revoke overtaken by an
   * earlier enable's answer, or an expiry by an earlier rotation's.
   */
  #statusWrites: Promise<unknown> = Promise.resolve()
  #closed = false
  #failureLimiters: FailureLimiterFactory | undefined
  /** Made on first use, shared by the failure throttle's limiters and the rate-limit counters. */
  readonly #counterTable: CounterTable
  readonly #counterTimeout: number
  #rateLimitCounters: RateLimitCounterFactory | undefined

  /** A store on the database at `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE?…`). Connects lazily. */
  constructor(url: string, options: PostgresKeyStoreOptions = {}) {
    const { pool, feed } = createConnections(url, options)
    this.#pool = pool
    this.#feed = feed
    this.#counterTable = counterTable(pool)
    this.#counterTimeout = options.counterTimeout ?? 2000
  }

  /** Creates or upgrades the schema; safe to run from several instances at once. */
  async migrate(): Promise<void> {
    const client = await this.#pool.connect()
    try {
      await migrate(client)
    } finally {
      client.release()
    }
  }

  findApiKey(id: string): Promise<ApiKeyCredential | undefined> {
    return findApiKey(this.#pool, id)
  }

  insertAccount(account: Account): Promise<void> {
    return insertAccount(this.#pool, account)
  }

  getAccount(id: string): Promise<Account | undefined> {
    return getAccount(this.#pool, id)
  }

  listAccounts(): Promise<Account[]> {
    return listAccounts(this.#pool)
  }

  setAccountStatus(id: string, status: AccountStatus): Promise<Account | undefined> {
    return this.#serialised(() => setAccountStatus(this.#pool, id, status))
  }

  updateAccount(id: string, changes: AccountChanges): Promise<Account | undefined> {
    return this.#serialised(() => updateAccount(this.#pool, id, changes))
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    await insertApiKey(this.#pool, key)
  }

  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return getApiKey(this.#pool, id)
  }

  listApiKeys(filter: { readonly accountId?: string } = {}): Promise<ApiKeyRecord[]> {
    return listApiKeys(this.#pool, filter)
  }

  setApiKeyStatus(id: string, status: ApiKeyStatus): Promise<ApiKeyRecord | undefined> {
    return this.#serialised(() => setApiKeyStatus(this.#pool, id, status))
  }

  updateApiKey(id: string, changes: ApiKeyChanges): Promise<ApiKeyRecord | undefined> {
    return this.#serialised(() => updateApiKey(this.#pool, id, changes))
  }

  /**
   * Stores the replacement and links the keys in one transaction whose UPDATE's WHERE clause
   * decides: of every instance rotating one key, exactly one succeeds.
   */
  rotateApiKey(id: string, replacement: ApiKeyRecord, expiresAt: Date): Promise<ApiKeyRotationResult> {
    return this.#serialised(() => rotateApiKey(this.#pool, id, replacement, expiresAt))
  }

  /**
   * Moves each key's `lastUsedAt` forward, in one statement. The rows are locked in id order first,
   * so two instances flushing overlapping batches wait for each other instead of deadlocking.
   * Announces nothing on the change feed: a use changes nothing a verifier caches, so the update
   * trigger ignores `last_used_at` (see migration 2).
   */
  touchApiKeys(uses: ReadonlyMap<string, Date>): Promise<void> {
    return touchApiKeys(this.#pool, uses)
  }

  /**
   * Remembers a revoked access token (RFC 7009) until `token.expiresAt`, and forgets the revocations
   * of every key that expire at or before `now`, in one transaction. `findApiKey` lists the token in
   * its key's `revokedTokens`, and the change feed announces the key (see migration 5), so every
   * instance re-reads it.
   *
   * @throws {LatchkeyError} `ERR_NOT_FOUND` when no key has the id `token.keyId`.
   */
  revokeAccessToken(token: RevokedToken, now: Date): Promise<void> {
    return revokeAccessToken(this.#pool, token, now)
  }

  /**
   * Spends `cost` credits of key `id` (of the balance it shares, for a key made by rotation) in one
   * atomic UPDATE: exact across instances, durable once it resolves, never announced. See credit-spend.ts.
   */
  spendCredits(id: string, cost: number, now: Date): Promise<CreditSpend | undefined> {
    return spendCredits(this.#pool, id, cost, now)
  }

  /** Adds usage counts and forgets those before `retainFrom`, in one statement; never announced. */
  recordUsage(counts: readonly UsageCount[], retainFrom: Date): Promise<void> {
    return recordUsage(this.#pool, counts, retainFrom)
  }

  listUsage(filter: UsageFilter): Promise<UsageRow[]> {
    return listUsage(this.#pool, filter)
  }

  listSigningKeys(): Promise<SigningKeyRecord[]> {
    return listSigningKeys(this.#pool)
  }

  insertSigningKey(key: SigningKeyRecord): Promise<void> {
    return insertSigningKey(this.#pool, key)
  }

  /**
   * Inserts `key` when the database holds no signing key, in one transaction under an advisory
   * lock: of every instance racing on the database, one inserts and the others get its key.
   */
  insertFirstSigningKey(key: SigningKeyRecord): Promise<SigningKeyRecord> {
    return insertFirstSigningKey(this.#pool, key)
  }

  expireSigningKey(kid: string, expiresAt: Date): Promise<SigningKeyRecord | undefined> {
    return expireSigningKey(this.#pool, kid, expiresAt)
  }

  replaceSigningKeyPrivateKey(
    kid: string,
    privateJwk: SigningKeyRecord['privateJwk'],
  ): Promise<SigningKeyRecord | undefined> {
    return replaceSigningKeyPrivateKey(this.#pool, kid, privateJwk)
  }

  /**
   * Reports every change to keys (their creation included, so that a verifier may remember ids that
   * have no key), accounts and signing keys committed by anyone on this database, through one
   * `LISTEN` connection shared by all subscriptions; see `KeyStoreWatchEvent`. It reports
   * `disconnected` whenever that connection fails, including each attempt to make it that fails, so
   * a watcher that has not seen `connected` yet still learns that the database is unreachable.
   */
  watch(listener: KeyStoreWatchListener): KeyStoreSubscription {
    if (this.#closed) {
      throw new LatchkeyError('ERR_STORE_UNAVAILABLE', 'The Postgres key store is closed; open a new one to watch it.')
    }
    return this.#feed.subscribe(listener)
  }

  /**
   * A limiter for the verifier's brute-force throttling, counting in the table
   * `latchkey_failure_counters` (made on first use) so that every instance on this database shares
   * the counts: an attacker spreading guesses over instances is throttled as if they were one.
   */
  createFailureLimiter(options: FailureLimiterOptions): FailureLimiter {
    this.#failureLimiters ??= postgresFailureLimiter(this.#pool, this.#counterTable)
    return this.#failureLimiters(options)
  }

  /**
   * Rate-limit counters in the same table (one key prefix per policy), so that every instance on this
   * database counts in the same windows. No fallback: while Postgres cannot be reached, or a count
   * takes longer than `counterTimeout`, a count rejects with an `Error` and the verifier answers 503.
   */
  createRateLimitCounter(options: RateLimitCounterOptions): RateLimitCounter {
    this.#rateLimitCounters ??= postgresRateLimitCounter(this.#pool, this.#counterTable, this.#counterTimeout)
    return this.#rateLimitCounters(options)
  }

  /** Closes the change feed and every pooled connection. The store cannot be used afterwards. */
  async close(): Promise<void> {
    this.#closed = true
    this.#feed.close()
    await this.#pool.end()
  }

  #serialised<T>(write: () => Promise<T>): Promise<T> {
    const result = this.#statusWrites.then(write, write)
    this.#statusWrites = result.catch(() => undefined)
    return result
  }
}

/**
 * Opens the Postgres key store at `url`, creating or upgrading its schema. Close it when done.
 *
 * @example
 * const store = await openPostgresKeyStore(process.env.LATCHKEY_DATABASE_URL)
 *
 * @throws {LatchkeyError} `ERR_STORE_UNAVAILABLE` when the database cannot be reached or was
 *   migrated by a newer version of this package. The message never shows a password.
 */
export async function openPostgresKeyStore(url: string, options?: PostgresKeyStoreOptions): Promise<PostgresKeyStore> {
  const store = new PostgresKeyStore(url, options)
  try {
    await store.migrate()
    return store
  } catch (error) {
    await store.close().catch(() => undefined)
    if (isLatchkeyError(error)) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new LatchkeyError(
      'ERR_STORE_UNAVAILABLE',
      `Cannot open the Postgres key store: ${reason}. Check that the server is running and that the URL's host, port, database and credentials are right.`,
      { cause: error },
    )
  }
}
