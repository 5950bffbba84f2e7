import { describe, expect, it } from 'vitest'
import type { KeyStore } from '../store/key-store.js'
import type { UsageCount } from '../usage-limits/usage-counts.js'
import { createUsageCountsRecorder } from './usage-counts-recorder.js'

const hour = Date.UTC(2026, 0, 1, 10)

function recordingStore(fail: { next: boolean }) {
  const writes: { counts: UsageCount[]; retainFrom: Date }[] = []
  const store = {
    recordUsage(counts: readonly UsageCount[], retainFrom: Date) {
      if (fail.next) {
        fail.next = false
        throw new Error('database is locked')
      }
      writes.push({ counts: [...counts], retainFrom })
    },
  } as unknown as KeyStore
  return { store, writes }
}

describe('Usage counts', () => {
  it('are written in one batch per key, hour and outcome, with the retention, and kept after a failed write', async () => {
    const fail = { next: true }
    const { store, writes } = recordingStore(fail)
    const now = hour + 2 * 3_600_000
    const recorder = createUsageCountsRecorder({
      store,
      interval: 60_000,
      storeTimeout: 1000,
      retention: 3_600_000,
      now: () => now,
    })
    for (let i = 0; i < 3; i++) recorder.count('key_a', 'served', hour + i)
    recorder.count('key_a', 'rate_limited', hour + 10)
    recorder.count('key_a', 'served', hour + 3_600_000)
    recorder.count('key_b', 'refused', hour)
    await recorder.flush()
    expect(writes).toEqual([])
    recorder.count('key_b', 'refused', hour + 5)
    await recorder.close()
    recorder.count('key_b', 'served', hour)
    await recorder.flush()
    expect(writes).toHaveLength(1)
    expect(writes[0]?.retainFrom).toEqual(new Date(now - 3_600_000))
    const counts = (writes[0]?.counts ?? []).map((count) => [
      count.keyId,
      count.hour.getTime(),
      count.outcome,
      count.count,
    ])
    expect(counts.sort()).toEqual(
      [
        ['key_a', hour, 'served', 3],
        ['key_a', hour, 'rate_limited', 1],
        ['key_a', hour + 3_600_000, 'served', 1],
        ['key_b', hour, 'refused', 1],
        ['key_b', hour, 'refused', 1],
      ].sort(),
    )
  })

  it('are not kept by a store without recordUsage', async () => {
    const recorder = createUsageCountsRecorder({
      store: {} as KeyStore,
      interval: 60_000,
      storeTimeout: 1000,
      retention: 3_600_000,
      now: Date.now,
    })
    recorder.count('key_a', 'served', hour)
    await expect(recorder.close()).resolves.toBeUndefined()
  })
})
