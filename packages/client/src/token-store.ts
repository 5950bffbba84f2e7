/** A value that may be returned directly or as a promise. */
export type Awaitable<T> = T | Promise<T>

/** A token as kept in a {@link TokenStore}. Never a secret. */
export interface StoredToken {
  readonly accessToken: string
  /** When the token expires, in ms since the epoch. */
  readonly expiresAt: number
  /** When the token request was sent, in ms since the epoch. */
  readonly obtainedAt: number
  /** The scope the server granted, when it named one. */
  readonly scope?: string | undefined
}

/**
 * Where tokens are shared across processes or serverless instances (Redis, a database…), so each
 * one does not mint its own. Keys are opaque strings derived from the token URL, client id, scope set
 * and audience; values hold tokens only, never secrets. Store calls may be sync or async; a failing
 * store is reported through `onTokenStoreError` and the client carries on with its memory cache.
 */
export interface TokenStore {
  get(key: string): Awaitable<StoredToken | undefined>
  /** @param ttl Milliseconds until the token expires; a store may evict it then. */
  set(key: string, token: StoredToken, ttl: number): Awaitable<void>
  delete(key: string): Awaitable<void>
}

/** A {@link TokenStore} in memory, for sharing tokens among clients of one process and for tests. */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, StoredToken>()

  get(key: string): StoredToken | undefined {
    return this.#tokens.get(key)
  }

  set(key: string, token: StoredToken): void {
    this.#tokens.set(key, token)
  }

  delete(key: string): void {
    this.#tokens.delete(key)
  }

  /** How many tokens are held. */
  get size(): number {
    return this.#tokens.size
  }
}
