import pg from 'pg'
import { ChangeFeed } from './change-feed.js'

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
  /**
   * How long a rate-limit count ({@link PostgresKeyStore.createRateLimitCounter}) may take before it
   * rejects, in ms; the verifier then answers 503 for limited keys. Default: `2000`.
   */
  readonly counterTimeout?: number | undefined
}

/** A store's connections to its database: a pool for queries, and the change feed's own one. */
export interface Connections {
  readonly pool: pg.Pool
  readonly feed: ChangeFeed
}

/**
 * The pool and change feed for the database at `url`, with one set of settings, so the feed's
 * connection times out like the others. Nothing connects until it is first used.
 */
export function createConnections(url: string, options: PostgresKeyStoreOptions): Connections {
  const client: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: options.connectionTimeout ?? 5000,
    query_timeout: options.queryTimeout ?? 10_000,
    keepAlive: true,
    application_name: 'latchkey',
  }
  const pool = new pg.Pool({ ...client, max: options.maxConnections ?? 10, idleTimeoutMillis: 30_000 })
  // An idle connection cut by the server (a restart) must not crash the process: the pool drops it
  // and the next query opens a new one.
  pool.on('error', () => undefined)
  const feed = new ChangeFeed({
    // Its own name, so an operator can tell the LISTEN connection from the pool's in pg_stat_activity.
    client: { ...client, application_name: 'latchkey-feed' },
    heartbeatInterval: options.heartbeatInterval ?? 2000,
  })
  return { pool, feed }
}
