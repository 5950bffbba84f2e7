import type { Metric, MetricValueWithName, Registry } from 'prom-client'

/** Upper bounds of the decision latency buckets, in seconds. */
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] as const

const NAME = 'latchkey_decision_duration_seconds'

/** One contract's observations: a count per bucket (not cumulative; the last one is `+Inf`), sum and count. */
interface Durations {
  readonly buckets: Float64Array
  sum: number
  count: number
}

/**
 * `latchkey_decision_duration_seconds`, a Prometheus histogram by proxy contract, registered in
 * `registry` and served with its other metrics. It counts in plain arrays: prom-client's `Histogram`
 * checks and hashes the labels of every observation, which costs more than the rest of a metric
 * update on a path every decision takes. The exposition is prom-client's histogram format
 * (cumulative `_bucket` series with `le`, `_sum`, `_count`), so `registry.metrics()`,
 * `getMetricsAsJSON()` and cluster aggregation read it as one of theirs.
 */
export function createDecisionDurations(registry: Registry): (contract: string, seconds: number) => void {
  const byContract = new Map<string, Durations>()
  const metric = {
    name: NAME,
    help: 'Time from a decision request to its answer.',
    type: 'histogram',
    aggregator: 'sum',
    // The shape prom-client's own metrics answer `get()` with (its `MetricObjectWithValues`).
    async get() {
      return { name: NAME, help: metric.help, type: 'histogram', aggregator: 'sum', values: exposed(byContract) }
    },
    reset() {
      byContract.clear()
    },
  }
  registry.registerMetric(metric as unknown as Metric)
  return (contract, seconds) => {
    let durations = byContract.get(contract)
    if (durations === undefined) {
      durations = { buckets: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0 }
      byContract.set(contract, durations)
    }
    const { buckets } = durations
    let bucket = 0
    while (bucket < BUCKETS.length && seconds > (BUCKETS[bucket] as number)) bucket++
    buckets[bucket] = (buckets[bucket] ?? 0) + 1
    durations.sum += seconds
    durations.count++
  }
}

function exposed(byContract: ReadonlyMap<string, Durations>): MetricValueWithName<string>[] {
  const values: MetricValueWithName<string>[] = []
  for (const [contract, { buckets, sum, count }] of byContract) {
    let cumulative = 0
    buckets.forEach((inBucket, index) => {
      cumulative += inBucket
      const le = index < BUCKETS.length ? (BUCKETS[index] as number) : '+Inf'
      values.push({ metricName: `${NAME}_bucket`, labels: { le, contract }, value: cumulative })
    })
    values.push({ metricName: `${NAME}_sum`, labels: { contract }, value: sum })
    values.push({ metricName: `${NAME}_count`, labels: { contract }, value: count })
  }
  return values
}
