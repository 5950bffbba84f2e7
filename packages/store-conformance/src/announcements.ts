import type { KeyStore, KeyStoreWatchEvent } from '@latchkey/verifier'
import { expect } from 'vitest'

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
export interface Announcements {
  /** Forgets what was announced so far, once `id`'s last change is in. */
  reset(id: string): Promise<void>
  /** Resolves once a change of every one of `ids` has been announced since the last reset. */
  announced(...ids: string[]): Promise<void>
  close(): void
}

/** Listens to `store`'s feed (`watch`) or follows its `changeVersion`; `undefined` when it has neither. */
export async function listen(store: KeyStore): Promise<Announcements | undefined> {
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
