import {
  type Account,
  type AccountStatus,
  type ApiKeyCredential,
  type ApiKeyRecord,
  type ApiKeyStatus,
  type FailureLimiter,
  type FailureLimiterFactory,
  type FailureLimiterOptions,
  isLatchkeyError,
  type KeyStore,
  type KeyStoreSubscription,
  type KeyStoreWatchListener,
  LatchkeyError,
  type SigningKeyRecord,
} from '@latchkey/verifier'
import pg from 'pg'
import { ChangeFeed } from './change-feed.js'
import { postgresFailureLimiter } from './failure-limiter.js'
import { migrate } from './migrations.js'
import {
  type AccountRow,
  type ApiKeyCredentialRow,
  type ApiKeyRow,
  accountColumns,
  apiKeyColumns,
  rowToAccount,
  rowToApiKey,
  rowToApiKeyCredential,
  rowToSigningKey,
  type SigningKeyRow,
  signingKeyColumns,
} from './rows.js'

/** Options of {@link openPostgresKeyStore} and {@link PostgresKeyStore}. */
export interface PostgresKeyStoreOptions {
  /** Most connections the pool opens, besides the change feed's one. Default: `10`. */
  readonly maxConnections?: number | undefined
  /** How long getting a connection may take before the call throws, in ms. Default: `5000`. */
  readonly connectionTimeout?: number | undefined
  /** How long a query may run before the call throws, in ms. Default: `10000`. */
  readonly queryTimeout?: number | undefined
  /**
   * How often the change feed's connection is checked, in ms. A connection lost without a word
   * (a network partition) is noticed within twice this, and until then the verifier trusts its
   * cache: this bounds revocation in that case. Default: `2000`.
   */
  readonly heartbeatInterval?: number | undefined
}

/**
 * Prepared statements of the hot paths, by name: `pg` prepares each once per connection, so later
 * calls send only the values. Names are versioned with the schema they were written for.
 */
const statements = {
  findApiKey: {
    name: 'latchkey_v1_find_api_key',
    text: `SELECT k.id, k.account_id, k.secret_hash, k.scopes, k.status, k.created_at, a.status AS account_status
           FROM latchkey_api_keys AS k JOIN latchkey_accounts AS a ON a.id = k.account_id WHERE k.id = $1`,
  },
  getApiKey: {
    name: 'latchkey_v2_get_api_key',
    text: `SELECT ${apiKeyColumns} FROM latchkey_api_keys WHERE id = $1`,
  },
  getAccount: {
    name: 'latchkey_v1_get_account',
    text: `SELECT ${accountColumns} FROM latchkey_accounts WHERE id = $1`,
  },
  listSigningKeys: {
    name: 'latchkey_v1_list_signing_keys',
    text: `SELECT ${signingKeyColumns} FROM latchkey_signing_keys ORDER BY created_at, kid`,
  },
} as const

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
  readonly #pool: pg.Pool
  readonly #feed: ChangeFeed
  /**
   * Status writes of this store, one after the other: with a pool they would otherwise reach the
   * database in any order, and a caller could see a revoke overtaken by an earlier enable's answer.
   */
  #statusWrites: Promise<unknown> = Promise.resolve()
  #closed = false
  #failureLimiters: FailureLimiterFactory | undefined

  /** A store on the database at `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE?…`). Connects lazily. */
  constructor(url: string, options: PostgresKeyStoreOptions = {}) {
    const client: pg.ClientConfig = {
      connectionString: url,
      connectionTimeoutMillis: options.connectionTimeout ?? 5000,
      query_timeout: options.queryTimeout ?? 10_000,
      keepAlive: true,
      application_name: 'latchkey',
    }
    this.#pool = new pg.Pool({ ...client, max: options.maxConnections ?? 10, idleTimeoutMillis: 30_000 })
    // An idle connection cut by the server (a restart) must not crash the process: the pool drops it
    // and the next query opens a new one.
    this.#pool.on('error', () => undefined)
    this.#feed = new ChangeFeed({
      client: { ...client, application_name: 'latchkey-feed' },
      heartbeatInterval: options.heartbeatInterval ?? 2000,
    })
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

  async findApiKey(id: string): Promise<ApiKeyCredential | undefined> {
    const { rows } = await this.#pool.query<ApiKeyCredentialRow>({ ...statements.findApiKey, values: [id] })
    return rows[0] && rowToApiKeyCredential(rows[0])
  }

  async insertAccount(account: Account): Promise<void> {
    await this.#pool
      .query(`INSERT INTO latchkey_accounts (${accountColumns}) VALUES ($1, $2, $3, $4, $5)`, [
        account.id,
        account.name,
        account.email,
        account.status,
        account.createdAt,
      ])
      .catch((error: unknown) => {
        throw constraintError(error, `An account with the id ${JSON.stringify(account.id)} already exists.`)
      })
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const { rows } = await this.#pool.query<AccountRow>({ ...statements.getAccount, values: [id] })
    return rows[0] && rowToAccount(rows[0])
  }

  async listAccounts(): Promise<Account[]> {
    const { rows } = await this.#pool.query<AccountRow>(
      `SELECT ${accountColumns} FROM latchkey_accounts ORDER BY created_at, id`,
    )
    return rows.map(rowToAccount)
  }

  setAccountStatus(id: string, status: AccountStatus): Promise<Account | undefined> {
    return this.#serialised(async () => {
      const { rows } = await this.#pool.query<AccountRow>(
        `UPDATE latchkey_accounts SET status = $1 WHERE id = $2 RETURNING ${accountColumns}`,
        [status, id],
      )
      return rows[0] && rowToAccount(rows[0])
    })
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    await this.#pool
      .query(`INSERT INTO latchkey_api_keys (${apiKeyColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        key.id,
        key.accountId,
        key.secretHash,
        [...key.scopes],
        key.status,
        key.createdAt,
        key.lastUsedAt ?? null,
      ])
      .catch((error: unknown) => {
        throw constraintError(
          error,
          `An API key with the id ${JSON.stringify(key.id)} already exists.`,
          `No account has the id ${JSON.stringify(key.accountId)}; create the account before its keys.`,
        )
      })
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.#pool.query<ApiKeyRow>({ ...statements.getApiKey, values: [id] })
    return rows[0] && rowToApiKey(rows[0])
  }

  async listApiKeys(filter: { readonly accountId?: string } = {}): Promise<ApiKeyRecord[]> {
    const { rows } =
      filter.accountId === undefined
        ? await this.#pool.query<ApiKeyRow>(`SELECT ${apiKeyColumns} FROM latchkey_api_keys ORDER BY created_at, id`)
        : await this.#pool.query<ApiKeyRow>(
            `SELECT ${apiKeyColumns} FROM latchkey_api_keys WHERE account_id = $1 ORDER BY created_at, id`,
            [filter.accountId],
          )
    return rows.map(rowToApiKey)
  }

  setApiKeyStatus(id: string, status: ApiKeyStatus): Promise<ApiKeyRecord | undefined> {
    return this.#serialised(async () => {
      // The CASE, not a read before the write, keeps `revoked` final, and RETURNING gives the row as
      // this statement left it: a concurrent revoke is waited for (row lock) and then seen.
      const { rows } = await this.#pool.query<ApiKeyRow>(
        `UPDATE latchkey_api_keys SET status = CASE WHEN status = 'revoked' THEN status ELSE $1 END
         WHERE id = $2 RETURNING ${apiKeyColumns}`,
        [status, id],
      )
      return rows[0] && rowToApiKey(rows[0])
    })
  }

  /**
   * Moves each key's `lastUsedAt` forward, in one statement. The rows are locked in id order first,
   * so two instances flushing overlapping batches wait for each other instead of deadlocking.
   * Announces nothing on the change feed (see migration 2).
   */
  async touchApiKeys(uses: ReadonlyMap<string, Date>): Promise<void> {
    if (uses.size === 0) return
    await this.#pool.query(
      `WITH used AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS u (id, at)),
            locked AS (
              SELECT k.id FROM latchkey_api_keys AS k JOIN used ON used.id = k.id ORDER BY k.id FOR UPDATE OF k
            )
       UPDATE latchkey_api_keys AS k SET last_used_at = used.at
       FROM used JOIN locked ON locked.id = used.id
       WHERE k.id = used.id AND (k.last_used_at IS NULL OR k.last_used_at < used.at)`,
      [[...uses.keys()], [...uses.values()]],
    )
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const { rows } = await this.#pool.query<SigningKeyRow>(statements.listSigningKeys)
    return rows.map(rowToSigningKey)
  }

  async insertSigningKey(key: SigningKeyRecord): Promise<void> {
    await this.#pool
      .query(`INSERT INTO latchkey_signing_keys (${signingKeyColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        key.kid,
        key.alg,
        JSON.stringify(key.publicJwk),
        JSON.stringify(key.privateJwk),
        key.createdAt,
        key.activatesAt,
        key.expiresAt,
      ])
      .catch((error: unknown) => {
        throw constraintError(error, `A signing key with the kid ${JSON.stringify(key.kid)} already exists.`)
      })
  }

  async expireSigningKey(kid: string, expiresAt: Date): Promise<SigningKeyRecord | undefined> {
    // Expiry only moves earlier; LEAST ignores NULL, which stands for "no expiry yet".
    const { rows } = await this.#pool.query<SigningKeyRow>(
      `UPDATE latchkey_signing_keys SET expires_at = LEAST(expires_at, $2) WHERE kid = $1 RETURNING ${signingKeyColumns}`,
      [kid, expiresAt],
    )
    return rows[0] && rowToSigningKey(rows[0])
  }

  /**
   * Reports every change to keys (their creation too, from schema version 3), accounts and signing
   * keys committed by anyone on this database, through one `LISTEN` connection shared by all
   * subscriptions; see `KeyStoreWatchEvent`. It reports
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
    this.#failureLimiters ??= postgresFailureLimiter(this.#pool)
    return this.#failureLimiters(options)
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

/**
 * Turns Postgres constraint errors into messages that name the record; any other error passes
 * through unchanged, since it means the database itself failed.
 */
function constraintError(error: unknown, duplicate: string, missingAccount?: string): unknown {
  const code = (error as { code?: unknown } | null)?.code
  // SQLSTATE 23505 unique_violation, 23503 foreign_key_violation.
  if (code === '23505') return new LatchkeyError('ERR_INVALID_ARGUMENT', duplicate, { cause: error })
  if (code === '23503' && missingAccount !== undefined) {
    return new LatchkeyError('ERR_NOT_FOUND', missingAccount, { cause: error })
  }
  return error
}
