import type { BenchKey, LimitedKeys } from './limited-keys.js'

/**
 * What `bench:limits` adds to the fixture once its throwaway stores run: where each listens, and the
 * keys created in Postgres (the Redis server counts the windows of the SQLite store's keys). A store
 * whose binary is missing is absent, and so are its rows.
 */
export interface LimitStoreUrls {
  readonly postgres?: {
    readonly url: string
    /** A key without limits, of its own account: Basic on Postgres, for comparison. */
    readonly unlimited: BenchKey
    readonly limitedKeys: LimitedKeys
  }
  readonly redis?: { readonly url: string }
}
