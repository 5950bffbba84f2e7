import { measure } from 'mitata'
import type { MicroResult } from '../report.js'

/** Minimum CPU time per benchmark: about 0.15 s in quick mode, 1 s otherwise. */
const minCpuTime = (process.env.BENCH_QUICK === '1' ? 0.15 : 1) * 1e9

/** Measures `fn` (sync or async) with mitata and prints one line as it goes. */
export async function time(group: string, name: string, fn: () => unknown): Promise<MicroResult> {
  const stats = await measure(fn, { min_cpu_time: minCpuTime })
  const result = { group, name, avg: stats.avg, p50: stats.p50, p99: stats.p99, min: stats.min, max: stats.max }
  console.error(`  ${group} › ${name}: ${(stats.avg / 1000).toFixed(1)} µs avg`)
  return result
}
