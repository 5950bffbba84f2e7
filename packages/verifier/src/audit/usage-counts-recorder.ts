import type { KeyStore } from '../store/key-store.js'
import { callStore } from '../store/store-call.js'
import type { UsageCount, UsageOutcome } from '../usage-limits/usage-counts.js'

/** Options of {@link createUsageCountsRecorder}. */
export interface UsageCountsRecorderOptions {
  readonly store: KeyStore
  /** How long counts wait before they are written, in ms. */
  readonly interval: number
  /** How long one write may take before it is given up, in ms. */
  readonly storeTimeout: number
  /** How long the store keeps counts, in ms: each write forgets those of hours before `now() - retention`. */
  readonly retention: number
  /** Milliseconds since the epoch. */
  readonly now: () => number
}

/** Counts requests per key, hour and outcome without a store write per request. Internal to the verifier. */
export interface UsageCountsRecorder {
  /** Counts one request of `keyId` with `outcome` at `at` (ms since the epoch). Never throws, never waits. */
  count(keyId: string, outcome: UsageOutcome, at: number): void
  /** Writes what is pending now; resolves once written or given up, never rejects. */
  flush(): Promise<void>
  /** Writes what is pending and counts nothing more. */
  close(): Promise<void>
}

/** One key's counts in one hour: numbers updated in place, so counting a request makes nothing. */
interface HourCounts {
  readonly keyId: string
  readonly hour: number
  served: number
  rate_limited: number
  credits_exhausted: number
  refused: number
}

const outcomes: readonly UsageOutcome[] = ['served', 'rate_limited', 'credits_exhausted', 'refused']
const hourMs = 3_600_000
const off: UsageCountsRecorder = { count() {}, flush: async () => {}, close: async () => {} }

/**
 * Collects usage counts in memory and adds them in one {@link KeyStore.recordUsage} batch per
 * interval, as `lastUsedAt` is written. Best effort: a failed or slow write is given up (its counts
 * wait for the next batch), never seen by a request, and a crash loses at most one interval.
 */
export function createUsageCountsRecorder(options: UsageCountsRecorderOptions): UsageCountsRecorder {
  const { store, interval, storeTimeout, retention, now } = options
  if (!store.recordUsage || interval <= 0) return off
  const record = store.recordUsage.bind(store)
  /** By key id: the hour being counted. */
  let current = new Map<string, HourCounts>()
  /** Hours counted before, and counts a failed write gave back. */
  let earlier: UsageCount[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  function schedule(): void {
    if (timer !== undefined || closed) return
    timer = setTimeout(() => {
      timer = undefined
      void flush()
    }, interval)
    // A pending batch must not keep a process alive that has nothing else to do.
    ;(timer as { unref?: () => void }).unref?.()
  }

  function count(keyId: string, outcome: UsageOutcome, at: number): void {
    if (closed) return
    const hour = at - (((at % hourMs) + hourMs) % hourMs)
    let counts = current.get(keyId)
    if (counts?.hour !== hour) {
      if (counts) earlier.push(...countsOf(counts))
      counts = { keyId, hour, served: 0, rate_limited: 0, credits_exhausted: 0, refused: 0 }
      current.set(keyId, counts)
      schedule()
    }
    counts[outcome]++
  }

  async function flush(): Promise<void> {
    clearTimeout(timer)
    timer = undefined
    const batch = earlier
    for (const counts of current.values()) batch.push(...countsOf(counts))
    current = new Map()
    earlier = []
    if (batch.length === 0) return
    try {
      await callStore(storeTimeout, () => record(batch, new Date(now() - retention)))
    } catch {
      // Best effort: the counts wait for the next batch, and no answer depends on them.
      earlier.push(...batch)
      schedule()
    }
  }

  return {
    count,
    flush,
    async close() {
      closed = true
      await flush()
    },
  }
}

function countsOf(counts: HourCounts): UsageCount[] {
  const hour = new Date(counts.hour)
  return outcomes
    .filter((outcome) => counts[outcome] > 0)
    .map((outcome) => ({ keyId: counts.keyId, hour, outcome, count: counts[outcome] }))
}
