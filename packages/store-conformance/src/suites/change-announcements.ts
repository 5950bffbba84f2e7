import type { ApiKeyChanges, KeyStore, KeyStoreWatchEvent } from '@latchkey/verifier'
import { describe, expect, it, type TestContext } from 'vitest'
import { at, makeAccount, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** How long an announcement may take to arrive, in ms: far more than any store needs. */
const patience = 5000

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** Waits until `done` holds, or fails after {@link patience}. */
async function until(done: () => boolean, what: string): Promise<void> {
  const started = performance.now()
  while (!done()) {
    if (performance.now() - started > patience) throw new Error(`Not announced within ${patience} ms: ${what}.`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Whether a store told of each key change, through its change feed or its change version. */
interface Announcements {
  /** Forgets what was announced so far, once `id`'s last change is in. */
  reset(id: string): Promise<void>
  /** Resolves once a change of every one of `ids` has been announced since the last reset. */
  announced(...ids: string[]): Promise<void>
  close(): void
}

/** Listens to `store`'s feed (`watch`) or follows its `changeVersion`; `undefined` when it has neither. */
async function listen(store: KeyStore): Promise<Announcements | undefined> {
  if (store.watch) {
    const events: KeyStoreWatchEvent[] = []
    const subscription = store.watch((event) => events.push(event))
    await until(() => events.some((event) => event.type === 'connected'), 'the feed connected')
    const named = (id: string) => events.some((event) => event.type === 'api-key' && event.id === id)
    return {
      async reset(id) {
        await until(() => named(id), `the key ${id}`)
        events.length = 0
      },
      async announced(...ids) {
        await until(() => ids.every(named), `the keys ${ids.join(', ')}`)
      },
      close: () => subscription.close(),
    }
  }
  const { changeVersion } = store
  if (!changeVersion) return undefined
  // Read a turn later each time: a store may read the version of other connections once a turn.
  const read = async () => {
    await nextTurn()
    return changeVersion.call(store)
  }
  let version = await read()
  return {
    async reset() {
      version = await read()
    },
    async announced() {
      expect(await read(), 'the change version moved').not.toBe(version)
    },
    close: () => undefined,
  }
}

/**
 * What a verifier caching keys hears: an update of what it caches, and a rotation, made through
 * another connection. Skipped for a store with neither `watch` nor `changeVersion`, which a verifier
 * reads on every request.
 */
export function describeChangeAnnouncements({ store, connect }: ConformanceHarness): void {
  describe('announcing key updates and rotations', () => {
    /** The test's store listening, and another connection (or the store itself) writing a key `lk_one`. */
    async function setUp(context: TestContext) {
      const listener = await listen(store())
      if (!listener) return context.skip('the store has neither watch nor changeVersion')
      const writer = connect ? await connect() : store()
      await writer.insertAccount(makeAccount())
      await writer.insertApiKey(makeApiKey({ scopes: ['read', 'write'] }))
      await listener.reset('lk_one')
      return { listener, writer }
    }

    it.for<[string, ApiKeyChanges]>([
      ['its scopes', { scopes: ['read'] }],
      ['its expiry', { expiresAt: at(60_000) }],
      ['its name', { name: 'renamed' }],
      ['its metadata', { metadata: { plan: 'free' } }],
    ])('announces a change of %s by the key id', async ([, changes], context) => {
      const { listener, writer } = await setUp(context)
      try {
        await writer.updateApiKey('lk_one', changes)
        await listener.announced('lk_one')
      } finally {
        listener.close()
      }
    })

    it('announces a rotation by both ids: the key and its replacement', async (context) => {
      const { listener, writer } = await setUp(context)
      try {
        const replacement = makeApiKey({ id: 'lk_two', createdAt: at(1) })
        expect(await writer.rotateApiKey('lk_one', replacement, at(60_000))).toMatchObject({ rotated: true })
        await listener.announced('lk_one', 'lk_two')
      } finally {
        listener.close()
      }
    })
  })
}
