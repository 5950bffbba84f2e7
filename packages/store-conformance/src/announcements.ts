import type { KeyStore, KeyStoreWatchEvent } from '@latchkey/verifier'
import { expect } from 'vitest'

/** How long an announcement may take to arrive, in ms: far more than any store needs. */
const patience = 5000

/**
 * Past the time a store may keep one reading of other connections' changes (SQLite reads
 * `data_version` once a millisecond), in ms.
 */
const versionReadInterval = 5

const afterReadInterval = () => new Promise((resolve) => setTimeout(resolve, versionReadInterval))

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
  /** Resolves once a change of account `id` has been announced since the last reset. */
  announcedAccount(id: string): Promise<void>
  /**
   * Fails when a change of any of `ids` (keys or accounts) was announced since the last reset: for a
   * feed, after waiting long enough for one to arrive.
   */
  unannounced(...ids: string[]): Promise<void>
  close(): void
}

/** How long a feed is given to deliver an event that should not come, in ms. */
const quietPeriod = 300

/** Listens to `store`'s feed (`watch`) or follows its `changeVersion`; `undefined` when it has neither. */
export async function listen(store: KeyStore): Promise<Announcements | undefined> {
  if (store.watch) {
    const events: KeyStoreWatchEvent[] = []
    const subscription = store.watch((event) => events.push(event))
    await until(() => events.some((event) => event.type === 'connected'), 'the feed connected')
    const named = (id: string) => events.some((event) => event.type === 'api-key' && event.id === id)
    const namedAccount = (id: string) => events.some((event) => event.type === 'account' && event.id === id)
    return {
      async reset(id) {
        await until(() => named(id), `the key ${id}`)
        events.length = 0
      },
      async announced(...ids) {
        await until(() => ids.every(named), `the keys ${ids.join(', ')}`)
      },
      async announcedAccount(id) {
        await until(() => namedAccount(id), `the account ${id}`)
      },
      async unannounced(...ids) {
        await new Promise((resolve) => setTimeout(resolve, quietPeriod))
        const heard = ids.filter((id) => named(id) || namedAccount(id))
        expect(heard, 'announced though nothing the verifier caches changed').toEqual([])
      },
      close: () => subscription.close(),
    }
  }
  const { changeVersion } = store
  if (!changeVersion) return undefined
  // Read a little later each time: a store may read the version of other connections once a millisecond.
  const read = async () => {
    await afterReadInterval()
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
    async announcedAccount() {
      expect(await read(), 'the change version moved').not.toBe(version)
    },
    async unannounced() {
      expect(await read(), 'the change version stayed').toBe(version)
    },
    close: () => undefined,
  }
}
