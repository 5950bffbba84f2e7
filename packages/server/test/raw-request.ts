import { request } from 'node:http'

/** One request as it goes on the wire: the path exactly as written, which `fetch` would normalise. */
export interface RawRequest {
  readonly method?: string
  /** The request target, sent byte for byte: `/public/../admin` stays as it is. */
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /**
   * The loopback address to connect from (`127.0.0.2`…): the proxy sees each as another client, as it
   * would see two machines. Default: 127.0.0.1.
   */
  readonly from?: string
}

/** An answer, with every header line kept: a header sent twice shows twice. */
export interface RawAnswer {
  readonly status: number
  /** Each value of `name` (any case), one per header line, in order. */
  lines(name: string): string[]
  /** The first value of `name`, or `undefined`. */
  header(name: string): string | undefined
  /** Every header name, lowercase. */
  readonly names: readonly string[]
  readonly body: string
}

/**
 * Sends `raw` to `origin` (`http://127.0.0.1:PORT`) on a connection of its own, and resolves with the
 * whole answer; rejects after `timeout` ms (default 10000).
 */
export function sendRaw(origin: string, raw: RawRequest, timeout = 10_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: hostname,
        port,
        method: raw.method ?? 'GET',
        path: raw.path,
        headers: raw.headers,
        localAddress: raw.from ?? '127.0.0.1',
        // A connection per request: one client's keep-alive connection never carries another's request.
        agent: false,
        timeout,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => resolve(rawAnswer(res.statusCode ?? 0, res.rawHeaders, Buffer.concat(chunks))))
      },
    )
    sent.on('timeout', () =>
      sent.destroy(new Error(`${raw.method ?? 'GET'} ${raw.path}: no answer within ${timeout} ms`)),
    )
    sent.on('error', reject)
    sent.end(raw.body)
  })
}

function rawAnswer(status: number, rawHeaders: readonly string[], body: Buffer): RawAnswer {
  const pairs: [string, string][] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    pairs.push([(rawHeaders[i] as string).toLowerCase(), rawHeaders[i + 1] as string])
  }
  const lines = (name: string) => pairs.filter(([key]) => key === name.toLowerCase()).map(([, value]) => value)
  return {
    status,
    lines,
    header: (name) => lines(name)[0],
    names: [...new Set(pairs.map(([key]) => key))],
    body: body.toString('utf8'),
  }
}
