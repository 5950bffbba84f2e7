/**
 * The runtime walk-through as a module Worker, for workerd: its options from the Worker's bindings
 * (the variables of `walkthrough-script.ts`), its report as the JSON answer to any request, with
 * status 500 when a step did not go as described.
 */
import { runWalkthrough, walkthroughOptions } from './runtime-walkthrough.js'

export default {
  async fetch(_request: Request, env: Readonly<Record<string, string | undefined>>): Promise<Response> {
    const report = await runWalkthrough(walkthroughOptions(env))
    return Response.json(report, { status: report.ok ? 200 : 500 })
  },
}
