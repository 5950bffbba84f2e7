import type { UsageCount, UsageFilter, UsageRow } from '../usage-limits/usage-counts.js'

/** The usage counts of a {@link MemoryKeyStore}: one row per key, hour and outcome. Internal. */
export class MemoryUsageCounts {
  /** By key id, hour (ms) and outcome. */
  readonly #rows = new Map<string, UsageRow>()

  /** {@link KeyStore.recordUsage}; `accountOf` names a key's account, `undefined` for an unknown key (skipped). */
  record(counts: readonly UsageCount[], retainFrom: Date, accountOf: (keyId: string) => string | undefined): void {
    for (const count of counts) {
      const accountId = accountOf(count.keyId)
      if (accountId === undefined) continue
      const id = `${count.keyId}\n${count.hour.getTime()}\n${count.outcome}`
      const known = this.#rows.get(id)
      this.#rows.set(id, {
        keyId: count.keyId,
        accountId: known?.accountId ?? accountId,
        hour: new Date(count.hour),
        outcome: count.outcome,
        count: (known?.count ?? 0) + count.count,
      })
    }
    for (const [id, row] of this.#rows) if (row.hour < retainFrom) this.#rows.delete(id)
  }

  /** {@link KeyStore.listUsage}: by hour, then key id, then outcome. */
  list(filter: UsageFilter): UsageRow[] {
    const rows = [...this.#rows.values()].filter(
      (row) =>
        row.hour >= filter.since &&
        ('keyId' in filter ? row.keyId === filter.keyId : row.accountId === filter.accountId),
    )
    return rows
      .sort((a, b) => a.hour.getTime() - b.hour.getTime() || compare(a.keyId, b.keyId) || compare(a.outcome, b.outcome))
      .map((row) => ({ ...row, hour: new Date(row.hour) }))
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
