// The load generator's process: runs autocannon jobs sent by run.ts over IPC, one at a time, so the
// load never shares a process (or a CPU's event loop) with the server it measures.
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import type { LoadRequest } from './scenario.js'

/** One measurement, sent by the parent. */
export interface LoadJob {
  readonly type: 'run'
  /** Scenario id: token rotation continues where this scenario's previous job stopped. */
  readonly scenario: string
  readonly port: number
  readonly request: LoadRequest
  /** Seconds. */
  readonly duration: number
  readonly connections: number
  /** One token per line, when `request.rotateTokens`. */
  readonly tokensFile?: string | undefined
}

/** What one measurement gave. */
export interface LoadSummary {
  readonly requestsPerSecond: number
  readonly total: number
  /** Milliseconds. */
  readonly latencyP50: number
  readonly latencyP99: number
  readonly statusCounts: Readonly<Record<string, number>>
  readonly errors: number
  readonly timeouts: number
  /** The server process's CPU time (user and system) per request, in µs, where the orchestrator can read it. */
  readonly serverCpuPerRequest?: number
}

export type LoadReply = { readonly type: 'result'; readonly summary: LoadSummary }

const tokenFiles = new Map<string, string[]>()
/**
 * Where each scenario is in the token list. Never reset between jobs: a token comes back only after
 * every other one was sent, by then the server's verified-token cache (smaller than the list) has
 * dropped it, so every request is a cache miss.
 */
const positions = new Map<string, number>()

async function run(job: LoadJob): Promise<LoadSummary> {
  const { method, path, headers = {}, body, rotateTokens } = job.request
  const request: autocannon.Request = { method, path, headers: { ...headers }, ...(body ? { body } : {}) }
  if (rotateTokens) {
    if (!job.tokensFile) throw new Error('A rotating scenario needs the tokens file.')
    let tokens = tokenFiles.get(job.tokensFile)
    if (!tokens) {
      tokens = readFileSync(job.tokensFile, 'utf8').split('\n')
      tokenFiles.set(job.tokensFile, tokens)
    }
    const list = tokens
    request.setupRequest = (current) => {
      const position = positions.get(job.scenario) ?? 0
      positions.set(job.scenario, position + 1)
      return { ...current, headers: { ...current.headers, authorization: `Bearer ${list[position % list.length]}` } }
    }
  }
  const result = await autocannon({
    url: `http://127.0.0.1:${job.port}`,
    connections: job.connections,
    duration: job.duration,
    requests: [request],
  })
  const statusCounts: Record<string, number> = {}
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCounts[status] = count ?? 0
  return {
    requestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    total: result.requests.total,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
  }
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (summary) => process.send?.({ type: 'result', summary } satisfies LoadReply),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
})
process.on('disconnect', () => process.exit(0))
