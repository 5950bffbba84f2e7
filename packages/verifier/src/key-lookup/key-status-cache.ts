import { LruMap } from 'toad-cache'
import type { ApiKeyCredential, Awaitable, KeyStoreWatchEvent } from '../store/key-store.js'

/** Settings of a {@link KeyStatusCache}. */
export interface KeyStatusCacheOptions {
  /** Most lookups remembered, found keys and absent ids together; when full, the least recently used goes. 0 turns the cache off. */
  readonly capacity: number
  /** How long, in ms, a lookup read while the change feed is live is trusted, in case a change went unreported. */
  readonly maxAge: number
  /** How long, in ms, a lookup read while the change feed is down (or not yet up) is trusted. */
  readonly fallbackMaxAge: number
  /** The clock, in ms. */
  readonly now: () => number
}

interface Entry {
  /** The key found, or `undefined` for an id no key had. */
  readonly credential: ApiKeyCredential | undefined
  /** Trusted until this instant (ms), counted from when its read started: a change after that may be missing. */
  readonly until: number
}

/**
 * Recent lookups of API keys, for stores with a change feed ({@link KeyStore.watch}): while the feed
 * is live, an id is read once and then served from memory until a change to it or its account is
 * reported; while the feed is down, an entry is trusted for `fallbackMaxAge` only, which bounds how
 * late a revocation is seen. Concurrent misses for one id share one read.
 *
 * Keys found and ids not found share one bound and one order (least recently used goes first), so
 * whether an id is remembered, and so how long its lookup takes, never depends on whether it exists
 * (as in {@link VersionedKeyCache}). An absent id is forgotten when the feed reports a change to it:
 * the store must announce a key's creation as it does its revocation (Postgres: schema version 3).
 *
 * A store outage empties the cache, so the verifier fails closed: the feed reports `disconnected`
 * when its connection, or an attempt to make one, fails; and while it is down, a failed read counts too.
 */
export class KeyStatusCache {
  readonly #options: KeyStatusCacheOptions
  readonly #entries: LruMap<Entry>
  readonly #reading = new Map<string, Promise<ApiKeyCredential | undefined>>()
  #live = false
  /** Bumped by every invalidation: a read that straddles one is not stored, since it may predate the change. */
  #generation = 0

  constructor(options: KeyStatusCacheOptions) {
    this.#options = options
    this.#entries = new LruMap(Math.max(1, options.capacity))
  }

  /** Whether the feed is live, as the last `connected` or `disconnected` event said. */
  get live(): boolean {
    return this.#live
  }

  /** The number of lookups remembered, found or not. */
  get size(): number {
    return this.#entries.size
  }

  /** The lookup of `id` from memory when trusted, else from `read`, remembered whether the key exists or not. */
  async get(id: string, read: () => Awaitable<ApiKeyCredential | undefined>): Promise<ApiKeyCredential | undefined> {
    if (this.#options.capacity <= 0) return read()
    const remembered = this.getNow(id)
    if (remembered) return remembered.credential
    const now = this.#options.now()
    let reading = this.#reading.get(id)
    if (!reading) {
      reading = this.#read(id, read, now)
      this.#reading.set(id, reading)
      const started = reading
      const forget = () => {
        if (this.#reading.get(id) === started) this.#reading.delete(id)
      }
      started.then(forget, forget)
    }
    return reading
  }

  /**
   * The lookup of `id` when memory holds a trusted one (`credential` is `undefined` for an id no key
   * had), else `undefined`; a stale entry is dropped. Reads nothing.
   */
  getNow(id: string): { readonly credential: ApiKeyCredential | undefined } | undefined {
    const entry = this.#entries.get(id)
    if (!entry) return undefined
    if (this.#options.now() < entry.until) return entry
    this.#entries.delete(id)
    return undefined
  }

  /** Applies a change-feed event: forgets what it says changed, or everything when the feed goes up or down. */
  apply(event: KeyStoreWatchEvent): void {
    switch (event.type) {
      case 'connected':
      case 'disconnected':
        // Changes made while the feed was down were never reported: nothing read before is trusted.
        this.#live = event.type === 'connected'
        this.clear()
        return
      case 'api-key':
        // Its status, scopes or existence changed: a key revoked, or created under an id remembered absent.
        this.#generation++
        this.#entries.delete(event.id)
        this.#reading.delete(event.id)
        return
      case 'account':
        this.#generation++
        for (const [id, { value }] of this.#entries.items) {
          if (value.credential?.accountId === event.id) this.#entries.delete(id)
        }
        // A read in flight may be of a key of this account; its result is not stored (generation).
        // Absent ids stay: a key comes to exist by its own creation, reported as an `api-key` event.
        this.#reading.clear()
        return
      case 'signing-keys':
        return
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#generation++
    this.#entries.clear()
    this.#reading.clear()
  }

  async #read(
    id: string,
    read: () => Awaitable<ApiKeyCredential | undefined>,
    readAt: number,
  ): Promise<ApiKeyCredential | undefined> {
    const generation = this.#generation
    const live = this.#live
    let credential: ApiKeyCredential | undefined
    try {
      credential = await read()
    } catch (error) {
      // With the feed down nothing else vouches for the store: one failed read means it may be
      // gone, and statuses read before it are not served in its place. A live feed reports an
      // outage itself, and a slow read then must not cost every key a re-read.
      if (!this.#live) this.clear()
      throw error
    }
    if (generation === this.#generation) {
      const until = readAt + (live ? this.#options.maxAge : this.#options.fallbackMaxAge)
      this.#entries.set(id, { credential, until })
    }
    return credential
  }
}
