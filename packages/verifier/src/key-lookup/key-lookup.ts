import { generateApiKeyId } from '../basic/api-key.js'
import type { SigningKeyRing } from '../signing-keys/signing-key-ring.js'
import type { ApiKeyCredential, Awaitable, KeyStore, KeyStoreSubscription } from '../store/key-store.js'
import { callStore } from '../store/store-call.js'
import { KeyStatusCache, type KeyStatusCacheOptions } from './key-status-cache.js'
import { VersionedKeyCache } from './versioned-key-cache.js'

/** Reads API keys for the hot path. Internal to the verifier. */
export interface KeyLookup {
  /** The key with its account's status; throws `ERR_STORE_UNAVAILABLE` when the store fails or is slow. */
  find(id: string): Promise<ApiKeyCredential | undefined>
  /**
   * {@link KeyLookup.find} for a presented credential, whose id may not exist: where the store is
   * read, it costs the same whether the key exists or not (see {@link readBalanced}).
   */
  findPresented(id: string): Promise<ApiKeyCredential | undefined>
  /**
   * {@link KeyLookup.find} when memory answers it at once (`credential` is `undefined` for an id no
   * key had), else `undefined`: never reads the store, never waits. Stores read on every lookup never answer.
   */
  findNow(id: string): { readonly credential: ApiKeyCredential | undefined } | undefined
  /** Ends the change-feed subscription, if one was made. */
  close(): void
}

interface KeyLookupOptions {
  readonly store: KeyStore
  /** Milliseconds. */
  readonly storeTimeout: number
  readonly ring: SigningKeyRing
  readonly cache: KeyStatusCacheOptions
}

/**
 * The key lookup of one verifier, in one of three ways:
 * - a store with a change feed ({@link KeyStore.watch}, Postgres) is subscribed to on first use, and
 *   lookups are cached in a {@link KeyStatusCache} that the feed's events invalidate; its
 *   signing-key events reload the ring;
 * - a store with a change version ({@link KeyStore.changeVersion}, SQLite) is asked for its version on
 *   every lookup, and lookups are served from a {@link VersionedKeyCache} while it stays the same;
 * - any other store is read on every lookup.
 * With the last, a revocation by another process counts from the very next request; with a change
 * version, from the first lookup after the version moves (SQLite: the next event-loop turn).
 */
export function createKeyLookup({ store, storeTimeout, ring, cache: cacheOptions }: KeyLookupOptions): KeyLookup {
  const read = (id: string) => callStore(storeTimeout, () => store.findApiKey(id))
  const capacity = cacheOptions.capacity
  if (store.watch && capacity > 0) return watchedLookup(store, read, ring, cacheOptions)
  const changeVersion = store.changeVersion?.bind(store)
  if (changeVersion && capacity > 0) {
    return versionedLookup(changeVersion, read, new VersionedKeyCache(capacity), storeTimeout)
  }
  return { find: read, findPresented: (id) => readBalanced(read, id), findNow: () => undefined, close() {} }
}

function watchedLookup(
  store: KeyStore,
  read: (id: string) => Promise<ApiKeyCredential | undefined>,
  ring: SigningKeyRing,
  options: KeyStatusCacheOptions,
): KeyLookup {
  const cache = new KeyStatusCache(options)
  let subscription: KeyStoreSubscription | undefined
  let closed = false

  function subscribe(): void {
    if (subscription || closed || !store.watch) return
    try {
      subscription = store.watch((event) => {
        cache.apply(event)
        // Signing keys added or expired while the feed was down were never reported either.
        if (event.type === 'signing-keys' || event.type === 'connected') ring.invalidate()
      })
    } catch {
      // No feed: the cache stays in its fallback mode, trusting reads for `fallbackMaxAge` only.
      closed = true
    }
  }

  // As with a change version: a remembered id costs a map lookup, any other two reads, found or not.
  // Concurrent misses for one id share the read of whichever came first.
  function lookup(id: string, balanced: boolean): Promise<ApiKeyCredential | undefined> {
    subscribe()
    return cache.get(id, balanced ? () => readBalanced(read, id) : () => read(id))
  }
  return {
    find: (id) => lookup(id, false),
    findPresented: (id) => lookup(id, true),
    findNow(id) {
      subscribe()
      return cache.getNow(id)
    },
    close() {
      closed = true
      subscription?.close()
      subscription = undefined
      cache.clear()
    },
  }
}

function versionedLookup(
  changeVersion: () => Awaitable<number>,
  read: (id: string) => Promise<ApiKeyCredential | undefined>,
  cache: VersionedKeyCache,
  storeTimeout: number,
): KeyLookup {
  // A synchronous version (SQLite) is used as it is: no promise, no timer on the path every request takes.
  const version = (): number | Promise<number> => {
    try {
      const current = changeVersion()
      return typeof current === 'number' ? current : callStore(storeTimeout, () => current)
    } catch (cause) {
      return callStore(storeTimeout, () => Promise.reject(cause))
    }
  }

  async function lookup(id: string, balanced: boolean): Promise<ApiKeyCredential | undefined> {
    const current = version()
    const at = typeof current === 'number' ? current : await current
    const entry = cache.get(id, at)
    if (entry) return entry.credential
    const credential = balanced ? await readBalanced(read, id) : await read(id)
    cache.set(id, at, credential)
    return credential
  }
  // Whether the store's version came synchronously so far: only then can memory answer at once.
  let versionIsSynchronous = true
  return {
    find: (id) => lookup(id, false),
    findPresented: (id) => lookup(id, true),
    findNow(id) {
      if (!versionIsSynchronous) return undefined
      let current: Awaitable<number>
      try {
        current = changeVersion()
      } catch {
        // The lookup that follows calls it again and answers the failure.
        return undefined
      }
      if (typeof current !== 'number') {
        versionIsSynchronous = false
        Promise.resolve(current).catch(() => undefined)
        return undefined
      }
      return cache.get(id, current)
    },
    close: () => cache.clear(),
  }
}

/**
 * An id no key has (about 143 random bits): the absent key a found one is balanced with. Drawn at the
 * first read rather than when the module loads: a Cloudflare Worker may not draw random values at
 * global scope.
 */
let absentId: string | undefined

/**
 * A read that finds nothing returns sooner than one that finds a row and converts it (SQLite: about
 * 2 against 8 µs), which a statistical timing attack can see. So every read of a presented id makes
 * one read that finds a row and one that finds none: a found key also reads an absent id, and an
 * unknown id also reads the last key found, whose answer is thrown away. Failures of these extra
 * reads change nothing. Behind a {@link VersionedKeyCache} or a {@link KeyStatusCache} only misses
 * read, so both kinds of id cost a map lookup when remembered and two reads when not.
 */
async function readBalanced(
  read: (id: string) => Promise<ApiKeyCredential | undefined>,
  id: string,
): Promise<ApiKeyCredential | undefined> {
  const credential = await read(id)
  if (credential) {
    decoys.set(read, credential.id)
    absentId ??= generateApiKeyId()
    await read(absentId).catch(() => undefined)
  } else {
    const decoy = decoys.get(read)
    if (decoy !== undefined) await read(decoy).catch(() => undefined)
  }
  return credential
}

/** Per store reader, the id of the last key it found: a real row to read again for an unknown id. */
const decoys = new WeakMap<(id: string) => Promise<ApiKeyCredential | undefined>, string>()
