/**
 * The runtime walk-through as a script, for Node, Bun and Deno: its options from the environment
 * (`LATCHKEY_API_URL`, `LATCHKEY_API_KEY_ID`, `LATCHKEY_API_KEY_SECRET`, `LATCHKEY_REFUSED_TOKEN`),
 * its report as JSON on stdout, and exit code 1 when a step did not go as described.
 */
import { runWalkthrough, walkthroughOptions } from './runtime-walkthrough.js'

const report = await runWalkthrough(walkthroughOptions(process.env))
console.log(JSON.stringify(report, null, 2))
process.exitCode = report.ok ? 0 : 1
