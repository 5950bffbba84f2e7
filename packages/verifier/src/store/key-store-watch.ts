/**
 * What a store's change feed reports. A feed is not live until it reports `connected`; after
 * `disconnected`, changes may be lost until the next `connected`, so a cache must drop everything
 * on both and trust nothing but fresh reads in between.
 */
export type KeyStoreWatchEvent =
  /** The feed listens: changes committed from now on are reported. Earlier ones may have been missed. */
  | { readonly type: 'connected' }
  /**
   * The feed lost its connection, or an attempt to make one failed (reported each time, so a watcher
   * that never saw `connected` learns it too); the store re-subscribes by itself and reports
   * `connected` again.
   */
  | { readonly type: 'disconnected'; readonly error?: unknown }
  /**
   * A key was created, or anything the verifier caches of it changed: status, scopes, name,
   * metadata, expiry, rotation, revoked tokens, rate limits, the credits' settings, or existence (an
   * id change names both ids). Not `lastUsedAt`, not spent credits or usage counts, and not the
   * forgetting of expired revocations.
   */
  | { readonly type: 'api-key'; readonly id: string }
  /** An account's status, rate limits or existence changed: every key of it is affected. */
  | { readonly type: 'account'; readonly id: string }
  /** A signing key was added, expired or removed. */
  | { readonly type: 'signing-keys' }

/** Receives {@link KeyStoreWatchEvent}s. Called synchronously; it must not throw. */
export type KeyStoreWatchListener = (event: KeyStoreWatchEvent) => void

/** An active {@link KeyStore.watch} subscription. */
export interface KeyStoreSubscription {
  /** Stops the events; the store releases the feed's connection when no subscription is left. */
  close(): void
}
