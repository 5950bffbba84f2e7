import type { KeyStore } from '@latchkey/verifier'

/** A store as its factory hands it over: the store, and how to release it. */
export interface OpenedKeyStore {
  readonly store: KeyStore
  close(): Promise<void>
}

/** Opens a store for one test. */
export type KeyStoreOpener = () => Promise<OpenedKeyStore>

/** What each suite is given: the current test's store, and a way to reopen it when the store persists. */
export interface ConformanceHarness {
  /** The store opened for the running test. */
  store(): KeyStore
  /**
   * Closes the running test's store and opens the same underlying database again, which becomes
   * the store of the test from then on. `undefined` for stores that do not persist.
   */
  readonly reopen: (() => Promise<KeyStore>) | undefined
  /**
   * Opens another store on the running test's database while its store stays open, as another
   * instance would; the suite closes it after the test. `undefined` for stores that cannot share
   * their data (memory): races then run on the one store.
   */
  readonly connect: (() => Promise<KeyStore>) | undefined
}
