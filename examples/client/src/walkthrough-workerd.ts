/**
 * Runs the runtime walk-through in workerd, the Cloudflare Workers runtime, from Node: bundles
 * `walkthrough-worker.ts` into one module as wrangler would, runs it through miniflare without
 * `nodejs_compat`, hands it the variables of `walkthrough-script.ts` as bindings, and prints its report.
 */
import { fileURLToPath } from 'node:url'
import { bundleWorker } from '../../cloudflare-worker/src/bundle-worker.js'
import { startLocalWorker } from '../../cloudflare-worker/src/local-worker.js'
import { WALKTHROUGH_VARIABLES } from './runtime-walkthrough.js'

const bindings: Record<string, string> = {}
for (const name of Object.values(WALKTHROUGH_VARIABLES)) {
  const value = process.env[name]
  if (value !== undefined) bindings[name] = value
}
const script = await bundleWorker(fileURLToPath(new URL('./walkthrough-worker.ts', import.meta.url)))
const worker = await startLocalWorker({ script, bindings })
try {
  const response = await worker.fetch('/')
  const text = await response.text()
  // The report on stdout; anything else (a missing variable, an uncaught error) on stderr.
  if (response.headers.get('content-type')?.includes('json')) console.log(text)
  else console.error(`The Worker answered ${response.status}: ${text}\n${worker.output()}`)
  process.exitCode = response.status === 200 ? 0 : 1
} finally {
  await worker.dispose()
}
