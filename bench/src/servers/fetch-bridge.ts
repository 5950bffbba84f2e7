import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

/**
 * Serves a Fetch handler on `node:http`, as `@hono/node-server` and similar bridges do: a Web
 * `Request` in, a Web `Response` out. Its cost is part of what a Fetch-based stack pays per request.
 */
export function fetchListener(handler: (request: Request) => Promise<Response>): RequestListener {
  return (req, res) => {
    handler(toRequest(req)).then(
      (response) => write(res, response),
      (error: unknown) => {
        console.error(error)
        res.statusCode = 500
        res.end()
      },
    )
  }
}

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers()
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    for (const value of values ?? []) headers.append(name, value)
  }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers }
  if (init.method !== 'GET' && init.method !== 'HEAD') {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>
    init.duplex = 'half'
  }
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, init)
}

async function write(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status
  for (const [name, value] of response.headers) res.setHeader(name, value)
  res.end(new Uint8Array(await response.arrayBuffer()))
}
