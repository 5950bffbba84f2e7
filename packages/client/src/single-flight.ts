/**
 * Shares one in-flight promise per key among concurrent callers. The entry is removed as soon as
 * the promise settles, so a rejection is never cached: the next call starts afresh.
 */
export class SingleFlight<K, V> {
  readonly #flights = new Map<K, Promise<V>>()

  /** The in-flight promise for `key`, or a new one from `task` when there is none. */
  run(key: K, task: () => Promise<V>): Promise<V> {
    const existing = this.#flights.get(key)
    if (existing) return existing
    const flight = (async () => {
      try {
        return await task()
      } finally {
        this.#flights.delete(key)
      }
    })()
    this.#flights.set(key, flight)
    return flight
  }

  /** Whether a flight for `key` is running. */
  has(key: K): boolean {
    return this.#flights.has(key)
  }

  /** The in-flight promise for `key`, if any, without starting one. */
  current(key: K): Promise<V> | undefined {
    return this.#flights.get(key)
  }

  /** The keys of the flights running now. */
  keys(): IterableIterator<K> {
    return this.#flights.keys()
  }
}
