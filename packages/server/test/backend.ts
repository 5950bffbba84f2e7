import { fileURLToPath } from 'node:url'
import { type OwnedProcess, startOwnedProcess } from './child-process.js'
import type { RawAnswer } from './raw-request.js'

/** What the echo backend received: the request as the proxy passed it on. */
export interface EchoedRequest {
  readonly method: string
  /** The request target as the backend read it off the wire. */
  readonly path: string
  readonly body: string
  /** Each value of `name` (any case) the request carried, one per header line. */
  values(name: string): string[]
  /** Every header name, lowercase. */
  readonly names: readonly string[]
}

const script = fileURLToPath(new URL('./echo-backend.py', import.meta.url))

/**
 * Starts `echo-backend.py`, a Python standard-library server on 127.0.0.1 that answers every request
 * with JSON of what it received: the application behind the proxy, in another language than the gateway.
 */
export async function startEchoBackend(): Promise<{ port: number; process: OwnedProcess }> {
  const { process, ready } = await startOwnedProcess({
    command: 'python3',
    args: ['-u', script],
    ready: (line) => {
      const match = /^\{"port": (\d+)\}$/.exec(line.trim())
      return match ? Number(match[1]) : undefined
    },
  })
  return { port: ready, process }
}

/** The request the backend echoed in `answer`, or `undefined` when the backend did not answer it. */
export function readEcho(answer: RawAnswer): EchoedRequest | undefined {
  if (answer.status !== 200 || answer.header('content-type') !== 'application/json') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(answer.body)
  } catch {
    return undefined
  }
  const { method, path, headers, body } = parsed as Record<string, unknown>
  if (typeof method !== 'string' || typeof path !== 'string' || !Array.isArray(headers)) return undefined
  const pairs = headers as [string, string][]
  return {
    method,
    path,
    body: typeof body === 'string' ? body : '',
    values: (name) => pairs.filter(([key]) => key === name.toLowerCase()).map(([, value]) => value),
    names: [...new Set(pairs.map(([key]) => key))],
  }
}
