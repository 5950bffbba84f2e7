import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { Miniflare, type RequestInit, type Response } from 'miniflare'

/**
 * The `compatibility_date` of wrangler.toml, so that a local run gets the runtime behaviour a
 * deployment gets.
 */
export function wranglerCompatibilityDate(): string {
  const toml = readFileSync(new URL('../wrangler.toml', import.meta.url), 'utf8')
  const date = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(toml)?.[1]
  if (date === undefined) throw new Error('wrangler.toml has no compatibility_date = "YYYY-MM-DD" line.')
  return date
}

/** Options of {@link startLocalWorker}. */
export interface LocalWorkerOptions {
  /** The module Worker, bundled into one ES module ({@link bundleWorker}). */
  readonly script: string
  /** Text bindings, the Worker's vars and secrets: `env.NAME`. Default: none. */
  readonly bindings?: Readonly<Record<string, string>>
  /** Serve HTTP on this port (0: any free one). Default: no port, requests only through {@link LocalWorker.fetch}. */
  readonly port?: number
  /** The address the port is on. Default: `'127.0.0.1'`. */
  readonly host?: string
  /** Default: {@link wranglerCompatibilityDate}. */
  readonly compatibilityDate?: string
  /** Receives what the Worker logs and workerd prints, as it comes. Default: kept for {@link LocalWorker.output} only. */
  readonly onOutput?: (text: string) => void
  /** Longest wait for workerd to load the Worker, in ms. Default: 30,000. */
  readonly startTimeout?: number
}

/** A Worker running in workerd. */
export interface LocalWorker {
  /** Where it serves HTTP with `port`; else miniflare's own entry, for {@link LocalWorker.fetch}. */
  readonly url: URL
  /** Sends a request to the Worker (a path, resolved against {@link LocalWorker.url}). */
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** Everything the Worker logged and workerd printed so far. */
  output(): string
  /** Stops workerd. */
  dispose(): Promise<void>
}

/**
 * Runs a bundled module Worker in workerd, the Workers runtime, through miniflare, as `wrangler dev`
 * does, but with no compatibility flag (no `nodejs_compat`) and without fetching Cloudflare's
 * `Request.cf` data. Rejects with workerd's own explanation when the Worker does not load (an
 * uncaught error at global scope, a module it cannot find).
 */
export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  let output = ''
  const capture = (stream: Readable): void => {
    stream.setEncoding('utf8').on('data', (text: string) => {
      output += text
      options.onOutput?.(text)
    })
  }
  const miniflare = new Miniflare({
    // One module, named: a bundle that still imports something (a Node built-in) gets workerd's own
    // "No such module" rather than miniflare's refusal of imports in an unnamed script.
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: options.script }],
    compatibilityDate: options.compatibilityDate ?? wranglerCompatibilityDate(),
    compatibilityFlags: [],
    bindings: { ...options.bindings },
    // Outside tests miniflare fetches Request.cf data from workers.cloudflare.com; its placeholder will do.
    cf: false,
    ...(options.port === undefined ? {} : { host: options.host ?? '127.0.0.1', port: options.port }),
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      capture(stdout)
      capture(stderr)
    },
  })
  let url: URL
  try {
    url = await withTimeout(miniflare.ready, options.startTimeout ?? 30_000)
  } catch (error) {
    await miniflare.dispose().catch(() => undefined)
    throw new Error(`workerd did not load the Worker: ${(error as Error).message}\n${output}`, { cause: error })
  }
  return {
    url,
    fetch: (path, init) => miniflare.dispatchFetch(new URL(path, url), init),
    output: () => output,
    dispose: () => miniflare.dispose(),
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
