import { LruMap } from 'toad-cache'
import type { ApiKeyCredential } from '../store/key-store.js'

/** A remembered lookup: the key found, or `undefined` for an id no key has. */
export interface VersionedEntry {
  readonly credential: ApiKeyCredential | undefined
}

/**
 * Lookups of API keys, for stores that tell when anything changed ({@link KeyStore.changeVersion},
 * e.g. SQLite's `PRAGMA data_version`): an entry is served only while the store's version is the one
 * it was read at, and the first lookup at a new version forgets every entry. So a revocation
 * committed by any process is seen by the next lookup, as if the store were read every time.
 *
 * Keys found and ids not found share one bound and one order (least recently used goes first), so
 * whether an id is remembered, and so how long its lookup takes, never depends on whether it exists.
 * Cached credentials are frozen: principals share their `scopes`.
 */
export class VersionedKeyCache {
  readonly #entries: LruMap<VersionedEntry>
  #version: number | undefined

  /** `capacity`: most lookups remembered, at least 1. */
  constructor(capacity: number) {
    this.#entries = new LruMap(Math.max(1, capacity))
  }

  /** The number of lookups remembered. */
  get size(): number {
    return this.#entries.size
  }

  /** The lookup of `id` read at `version`, if remembered; a new `version` forgets every entry first. */
  get(id: string, version: number): VersionedEntry | undefined {
    if (version !== this.#version) {
      this.#entries.clear()
      this.#version = version
      return undefined
    }
    return this.#entries.get(id)
  }

  /**
   * Remembers the lookup of `id`, read after the store said `version`. A read that saw a later
   * change is still tagged with the earlier version, so the next lookup at the later one drops it:
   * the cache errs on reading again, never on serving a stale status.
   */
  set(id: string, version: number, credential: ApiKeyCredential | undefined): void {
    if (version !== this.#version) return
    this.#entries.set(id, { credential: credential && freeze(credential) })
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear()
    this.#version = undefined
  }
}

function freeze(credential: ApiKeyCredential): ApiKeyCredential {
  Object.freeze(credential.scopes)
  return Object.freeze(credential)
}
