// Only the client micro-benchmarks, with the target line run.ts prints after a full run, for work on
// the client alone: `pnpm --filter @latchkey/bench micro:client` (BENCH_QUICK=1 for a short run).
import { clientOverhead, formatMicroTable } from '../report.js'
import { clientBenchmarks } from './client.js'

const results = await clientBenchmarks()
console.log(formatMicroTable(results))
const target = clientOverhead(results)
if (target) console.log(`\n${target}`)
