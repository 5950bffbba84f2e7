import type { KeyStore } from '../store/key-store.js'
import { callStore } from '../store/store-call.js'

/** Options of {@link createUsageRecorder}. */
export interface UsageRecorderOptions {
  readonly store: KeyStore
  /** How long pending uses wait before they are written, in ms; 0 records nothing. */
  readonly interval: number
  /** How long one write may take before it is given up, in ms. */
  readonly storeTimeout: number
}

/** Keeps each key's `lastUsedAt` without a store write per request. Internal to the verifier. */
export interface UsageRecorder {
  /** Notes that `keyId` authenticated a request at `at` (ms since the epoch). Never throws, never waits. */
  record(keyId: string, at: number): void
  /** Writes what is pending now; resolves once written or given up, never rejects. */
  flush(): Promise<void>
  /** Writes what is pending and records nothing more. */
  close(): Promise<void>
}

const off: UsageRecorder = { record() {}, flush: async () => {}, close: async () => {} }

/**
 * Collects successful uses in memory and writes them in one {@link KeyStore.touchApiKeys} batch per
 * interval: a key busy with thousands of requests a second costs one write per interval, and
 * nothing is written while no key is used. Best effort: a failed or slow write is given up (its uses
 * wait for the next batch), never seen by a request, and a crash loses at most one interval.
 */
export function createUsageRecorder({ store, interval, storeTimeout }: UsageRecorderOptions): UsageRecorder {
  if (!store.touchApiKeys || interval <= 0) return off
  const touch = store.touchApiKeys.bind(store)
  // Milliseconds, not Dates: a use is noted on every request, and a Date is made per key per batch only.
  let pending = new Map<string, number>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  function schedule(): void {
    if (timer !== undefined || closed || pending.size === 0) return
    timer = setTimeout(() => {
      timer = undefined
      void flush()
    }, interval)
    // A pending batch must not keep a process alive that has nothing else to do.
    ;(timer as { unref?: () => void }).unref?.()
  }

  function keepLatest(into: Map<string, number>, id: string, at: number): void {
    const known = into.get(id)
    if (known === undefined || known < at) into.set(id, at)
  }

  async function flush(): Promise<void> {
    clearTimeout(timer)
    timer = undefined
    if (pending.size === 0) return
    const batch = pending
    pending = new Map()
    try {
      await callStore(storeTimeout, () => touch(new Map([...batch].map(([id, at]) => [id, new Date(at)]))))
    } catch {
      // Best effort: the uses go back in the queue for the next batch, and no answer depends on them.
      for (const [id, at] of batch) keepLatest(pending, id, at)
      schedule()
    }
  }

  return {
    record(keyId, at) {
      if (closed) return
      keepLatest(pending, keyId, at)
      schedule()
    },
    flush,
    async close() {
      closed = true
      await flush()
    },
  }
}
