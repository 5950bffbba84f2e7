// The in-process micro-benchmarks (mitata). run.ts starts this file in its own process; it can also
// run alone: `pnpm --filter @latchkey/bench micro`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatMicroTable, type MicroResult } from '../report.js'
import { clientBenchmarks } from './client.js'
import { verifierBenchmarks } from './verifier.js'

const directory = mkdtempSync(join(tmpdir(), 'latchkey-micro-'))
try {
  const results: MicroResult[] = []
  results.push(...(await verifierBenchmarks(directory)))
  try {
    results.push(...(await clientBenchmarks()))
  } catch (error) {
    console.error(`The client benchmarks failed: ${String(error)}`)
  }
  const output = process.env.BENCH_MICRO_OUT
  if (output) writeFileSync(output, JSON.stringify(results))
  else console.log(formatMicroTable(results))
  process.send?.('done')
} finally {
  rmSync(directory, { recursive: true, force: true })
}
