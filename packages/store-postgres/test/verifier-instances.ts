import { createVerifier, type KeyStore, type KeyStoreWatchEvent, type VerifierOptions } from '@latchkey/verifier'
import { generateApiKeyId, generateApiKeySecret } from '@latchkey/verifier/manage'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { openPostgresKeyStore, type PostgresKeyStore } from '../src/index.js'
import { type PostgresCluster, startPostgres } from './postgres-cluster.js'

/**
 * Verifiers on a real Postgres store, each as one instance of several: its key lookups are
 * remembered while the change feed is live, and another instance's writes reach it only through
 * the feed. Call {@link useVerifierInstances} at the top level of a test file.
 */

export const issuer = 'https://api.latchkey.test'

/** The `authorization` input of a Basic request with `id` and `secret`. */
export function basic(id: string, secret: string) {
  return { authorization: [`Basic ${btoa(`${id}:${secret}`)}`] }
}

/** `store` with its key reads recorded: every method is the real store's. */
function recordingReads(store: PostgresKeyStore) {
  const reads: Array<{ id: string; found: boolean }> = []
  const recorded = new Proxy(store, {
    get(target, property) {
      if (property === 'findApiKey') {
        return async (id: string) => {
          const found = await target.findApiKey(id)
          reads.push({ id, found: found !== undefined })
          return found
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      // The store's methods use its private fields, so they are called on it, not on the proxy.
      return typeof value === 'function' ? value.bind(target) : value
    },
  }) as KeyStore
  return { store: recorded, reads }
}

/**
 * Waits for a change-feed event of `store`. Subscribed after the verifier's own subscription, it
 * hears each event after the verifier has: the feed calls its listeners in the order they came.
 */
function afterVerifier(store: PostgresKeyStore) {
  const events: KeyStoreWatchEvent[] = []
  const subscription = store.watch((event) => events.push(event))
  return {
    subscription,
    async next(predicate: (event: KeyStoreWatchEvent) => boolean, timeout = 5000) {
      const started = performance.now()
      for (;;) {
        const index = events.findIndex(predicate)
        if (index >= 0) return events.splice(0, index + 1).at(-1)
        if (performance.now() - started > timeout) {
          throw new Error(`No such event within ${timeout} ms: ${JSON.stringify(events)}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    },
  }
}

/** Starts a cluster for the file's tests, and closes every store a test opened after it. */
export function useVerifierInstances(prefix: string) {
  let cluster: PostgresCluster
  beforeAll(async () => {
    cluster = await startPostgres()
  })
  afterAll(async () => {
    await cluster?.destroy()
  })

  const stores: PostgresKeyStore[] = []
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()))
  })

  let databases = 0
  return {
    /** Two instances on a new database: `instance` serves the verifier, `other` writes as another instance (or the CLI) would. */
    async twoInstances() {
      databases += 1
      const url = await cluster.createDatabase(`${prefix}_${databases}`)
      const instance = await openPostgresKeyStore(url)
      const other = await openPostgresKeyStore(url)
      stores.push(instance, other)
      return { instance, other }
    },

    /** A verifier on `instance` whose feed is live, its cache empty, its key reads recorded. */
    async liveVerifier(instance: PostgresKeyStore, options: Pick<VerifierOptions, 'keyStatusCacheSize' | 'now'> = {}) {
      const { store, reads } = recordingReads(instance)
      const verifier = createVerifier({ store, issuer, ...options })
      // The first lookup subscribes; `connected` then empties the cache.
      await verifier.authenticate(basic(generateApiKeyId(), generateApiKeySecret()))
      const feed = afterVerifier(instance)
      await feed.next((event) => event.type === 'connected')
      reads.length = 0
      return { verifier, reads, feed, close: () => verifier.close?.() }
    },
  }
}
