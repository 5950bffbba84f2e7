import { abortable } from './abortable.js'
import type { ObtainedToken } from './client-credentials.js'
import type { ClientLifetime } from './client-lifetime.js'
import type { Clock } from './clock.js'
import { isLatchkeyClientError } from './errors.js'
import { type ClientHooks, emit, type TokenRequestReason } from './hooks.js'
import { SingleFlight } from './single-flight.js'
import type { StoredToken, TokenStore } from './token-store.js'

/** When a cached token stops being served as is. All in ms. */
export interface TokenTimings {
  /** Margin before `expires_in` runs out within which a token counts as expired; at most a quarter of its lifetime. */
  readonly expirySkew: number
  /** Window before that margin within which a token is served while one background refresh runs; at most half its lifetime. */
  readonly refreshWindow: number
}

/** Settings of a {@link TokenCache}. */
export interface TokenCacheSettings extends TokenTimings {
  readonly clock: Clock
  readonly hooks: ClientHooks
  readonly store: TokenStore | undefined
  /** Aborted by `close()`. */
  readonly lifetime: ClientLifetime
  /** The cache key of `scope`: token URL, client id, sorted scope set and audience. */
  readonly keyFor: (scope: string) => string
  /** The fields of token events. */
  readonly describe: (scope: string) => { tokenUrl: string; clientId: string; scope: string }
  readonly requestToken: (scope: string, reason: TokenRequestReason) => Promise<ObtainedToken>
}

/** Options of {@link TokenCache.get}. */
export interface GetTokenCall {
  readonly signal?: AbortSignal | null | undefined
  /** Wait for a refresh rather than serve a token in its refresh window (before a body that cannot be replayed). */
  readonly fresh?: boolean
  /** Request a new token whatever the cache holds. */
  readonly forceRefresh?: boolean
}

interface Entry {
  readonly token: string
  readonly staleAt: number
  readonly expiredAt: number
  readonly stored: StoredToken
}

/**
 * Tokens per cache key, in three states on the monotonic clock: fresh (served), stale (served while
 * one background refresh runs) and expired (callers wait for the refresh). One token request per key
 * at a time, shared by every caller; a failed request is not remembered.
 */
export class TokenCache {
  readonly #settings: TokenCacheSettings
  readonly #entries = new Map<string, Entry>()
  readonly #flights = new SingleFlight<string, Entry>()
  /** Keys written to the store, to delete them on `clear()`. */
  readonly #storedKeys = new Set<string>()
  /** Keys whose token the API refused, so that the next token request says so (`'invalidated'`). */
  readonly #refused = new Set<string>()

  /** Cache keys by scope: `keyFor` serialises on every call, and a cached call must stay cheap. */
  readonly #keys = new Map<string, string>()

  constructor(settings: TokenCacheSettings) {
    this.#settings = settings
  }

  /**
   * The token for `scope` when a fresh one is cached, without waiting: `client.fetch` then sends at
   * once, with no promise between it and `fetch`. `undefined` otherwise (stale, expired, missing or
   * closed): {@link get} decides, and reports, what happens then.
   */
  peek(scope: string): string | undefined {
    if (this.#settings.lifetime.closed) return undefined
    const entry = this.#entries.get(this.#keyFor(scope))
    if (entry === undefined || !(this.#settings.clock.now() < entry.staleAt)) return undefined
    this.#report(scope, 'hit')
    return entry.token
  }

  /** A token for `scope`, from the cache or a (shared) token request. */
  async get(scope: string, call: GetTokenCall = {}): Promise<string> {
    this.#assertOpen()
    const key = this.#keyFor(scope)
    const entry = this.#entries.get(key)
    const now = this.#settings.clock.now()
    if (entry && !call.forceRefresh) {
      if (now < entry.staleAt) {
        this.#report(scope, 'hit')
        return entry.token
      }
      if (now < entry.expiredAt) {
        const refresh = this.#refresh(key, scope, 'stale')
        // The stale token is still valid: a failed background refresh is reported by the hooks and
        // retried on the next call, never surfaced here.
        refresh.catch(() => undefined)
        if (!call.fresh) {
          this.#report(scope, 'stale')
          return entry.token
        }
        try {
          return (await abortable(refresh, call.signal)).token
        } catch (error) {
          if (isStop(error)) throw error
          return entry.token
        }
      }
    }
    this.#report(scope, 'miss')
    const refused = this.#refused.delete(key)
    const reason = call.forceRefresh ? 'forced' : entry ? 'expired' : refused ? 'invalidated' : 'initial'
    return (await abortable(this.#refresh(key, scope, reason), call.signal)).token
  }

  /**
   * Drops `token` after the API refused it. Returns `false` when a newer token is already cached
   * (another caller refreshed first), so the caller can retry without a token request.
   */
  async invalidate(scope: string, token: string): Promise<boolean> {
    const key = this.#keyFor(scope)
    const entry = this.#entries.get(key)
    if (entry && entry.token !== token) return false
    // With the entry gone, the next get() joins a refresh already running, or starts one.
    this.#entries.delete(key)
    this.#refused.add(key)
    await this.#forgetStored(key, token)
    return true
  }

  /**
   * Takes the tokens of `scope` (of every scope without it) out of the cache, to be revoked: each
   * cached one at once, and the one of each token request in flight now as soon as it lands, so none
   * of them is cached after this call. Each comes back from its own promise, once it is also gone
   * from the store (when the store still held it); a token request that fails yields `undefined`.
   */
  take(scope: string | undefined): Promise<string | undefined>[] {
    const keys =
      scope === undefined ? new Set([...this.#entries.keys(), ...this.#flights.keys()]) : [this.#keyFor(scope)]
    const taken: Promise<string | undefined>[] = []
    for (const key of keys) {
      const entry = this.#entries.get(key)
      if (entry) {
        this.#entries.delete(key)
        taken.push(this.#forgetStored(key, entry.token).then(() => entry.token))
      }
      // Its callers get the token as usual; it is dropped from the cache as soon as it lands.
      const flight = this.#flights.current(key)
      if (flight) {
        taken.push(
          flight.then(
            async (landed) => {
              if (this.#entries.get(key) === landed) this.#entries.delete(key)
              await this.#forgetStored(key, landed.token)
              return landed.token
            },
            () => undefined,
          ),
        )
      }
    }
    return taken
  }

  /** Forgets `token` wherever it is cached (only for `scope`, when given), here and in the store. */
  async forget(token: string, scope: string | undefined): Promise<void> {
    const keys = scope === undefined ? new Set([...this.#entries.keys(), ...this.#storedKeys]) : [this.#keyFor(scope)]
    for (const key of keys) {
      if (this.#entries.get(key)?.token === token) this.#entries.delete(key)
      await this.#forgetStored(key, token)
    }
  }

  /** Forgets every token, here and in the store. */
  async clear(): Promise<void> {
    this.#entries.clear()
    this.#refused.clear()
    const { store } = this.#settings
    if (!store) return
    for (const key of this.#storedKeys) await this.#storeCall('delete', () => store.delete(key))
    this.#storedKeys.clear()
  }

  #refresh(key: string, scope: string, reason: TokenRequestReason): Promise<Entry> {
    return this.#flights.run(key, async () => {
      const { store, clock } = this.#settings
      const current = this.#entries.get(key)
      if (store && reason !== 'forced') {
        const stored = await this.#storeCall('get', () => store.get(key))
        // Another process may have refreshed already; adopt its token only if it is fresh.
        if (stored && stored.accessToken !== current?.token) {
          const adopted = this.#fromStored(stored)
          if (clock.now() < adopted.staleAt) {
            this.#entries.set(key, adopted)
            this.#report(scope, 'store')
            return adopted
          }
        }
      }
      const obtained = await this.#settings.requestToken(scope, reason)
      this.#assertOpen()
      const entry = this.#fromObtained(obtained, scope)
      this.#entries.set(key, entry)
      if (store) {
        this.#storedKeys.add(key)
        const ttl = entry.stored.expiresAt - clock.wallTime()
        await this.#storeCall('set', () => store.set(key, entry.stored, ttl))
      }
      return entry
    })
  }

  #fromObtained({ response, sentAt }: ObtainedToken, scope: string): Entry {
    const { clock } = this.#settings
    const lifetime = response.expiresIn * 1000
    // Convert the monotonic send time to wall time for the store only.
    const obtainedAt = clock.wallTime() - (clock.now() - sentAt)
    const stored: StoredToken = {
      accessToken: response.accessToken,
      obtainedAt,
      expiresAt: obtainedAt + lifetime,
      scope: response.scope ?? scope,
    }
    return this.#entry(stored, sentAt, lifetime)
  }

  #fromStored(stored: StoredToken): Entry {
    const { clock } = this.#settings
    const obtained = clock.now() - (clock.wallTime() - stored.obtainedAt)
    return this.#entry(stored, obtained, Math.max(0, stored.expiresAt - stored.obtainedAt))
  }

  #entry(stored: StoredToken, obtained: number, lifetime: number): Entry {
    const skew = Math.min(this.#settings.expirySkew, lifetime / 4)
    const window = Math.min(this.#settings.refreshWindow, lifetime / 2)
    const expiredAt = obtained + lifetime - skew
    return { token: stored.accessToken, expiredAt, staleAt: expiredAt - window, stored }
  }

  /** Deletes `key` from the store if it still holds `token`: another process may have stored a newer one. */
  async #forgetStored(key: string, token: string): Promise<void> {
    const { store } = this.#settings
    if (!store) return
    const stored = await this.#storeCall('get', () => store.get(key))
    if (stored?.accessToken === token) await this.#storeCall('delete', () => store.delete(key))
  }

  async #storeCall<T>(operation: 'get' | 'set' | 'delete', call: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await call()
    } catch (error) {
      emit(this.#settings.hooks, 'onTokenStoreError', { operation, error })
      return undefined
    }
  }

  #keyFor(scope: string): string {
    let key = this.#keys.get(scope)
    if (key === undefined) {
      key = this.#settings.keyFor(scope)
      this.#keys.set(scope, key)
    }
    return key
  }

  #report(scope: string, result: 'hit' | 'stale' | 'store' | 'miss'): void {
    // Every call reports: build the event only when someone listens.
    if (this.#settings.hooks.onTokenCache === undefined) return
    emit(this.#settings.hooks, 'onTokenCache', { ...this.#settings.describe(scope), result })
  }

  #assertOpen(): void {
    this.#settings.lifetime.assertOpen()
  }
}

function isStop(error: unknown): boolean {
  return isLatchkeyClientError(error) && (error.code === 'ERR_ABORTED' || error.code === 'ERR_CLOSED')
}
