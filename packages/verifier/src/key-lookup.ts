import { KeyStatusCache, type KeyStatusCacheOptions } from './key-status-cache.js'
import type { ApiKeyCredential, KeyStore, KeyStoreSubscription } from './key-store.js'
import { callStore } from './lib/store-call.js'
import type { SigningKeyRing } from './signing-key-ring.js'

/** Reads API keys for the hot path. Internal to the verifier. */
export interface KeyLookup {
  /** The key with its account's status; throws `ERR_STORE_UNAVAILABLE` when the store fails or is slow. */
  find(id: string): Promise<ApiKeyCredential | undefined>
  /** Ends the change-feed subscription, if one was made. */
  close(): void
  /** Whether statuses are cached, so that a found key may cost less than an absent one. */
  readonly caches: boolean
}

interface KeyLookupOptions {
  readonly store: KeyStore
  /** Milliseconds. */
  readonly storeTimeout: number
  readonly ring: SigningKeyRing
  readonly cache: KeyStatusCacheOptions
}

/**
 * The key lookup of one verifier. A store without a change feed is read on every call, so a
 * revocation by another process counts from the very next request. A store with one
 * ({@link KeyStore.watch}) is subscribed to on first use, and key statuses are cached in a
 * {@link KeyStatusCache} that the feed's events invalidate; its signing-key events reload the ring.
 */
export function createKeyLookup({ store, storeTimeout, ring, cache: cacheOptions }: KeyLookupOptions): KeyLookup {
  const read = (id: string) => callStore(storeTimeout, () => store.findApiKey(id))
  if (!store.watch || cacheOptions.capacity <= 0) return { find: read, close() {}, caches: false }
  const cache = new KeyStatusCache(cacheOptions)
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

  return {
    caches: true,
    find(id) {
      subscribe()
      return cache.get(id, () => read(id))
    },
    close() {
      closed = true
      subscription?.close()
      subscription = undefined
      cache.clear()
    },
  }
}
