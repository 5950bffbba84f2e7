import type { IncomingMessage } from 'node:http'
import type { AuthenticationInput, ConnectionInfo, EndpointInput } from '../../verifier.js'
import { authorizationOf } from './authorization-lines.js'
import { readCapped } from './request-body.js'

/**
 * What the core authenticates: the `Authorization` lines, the URL and the headers. `req.headers`
 * joins repeated forwarding headers with commas, which is how the core reads them.
 */
export function inputOf(req: IncomingMessage, url: string): AuthenticationInput {
  return { authorization: authorizationOf(req), url, headers: req.headers }
}

/** The connection's peer address; the core decides whether to believe forwarding headers. */
export function connectionOf(req: IncomingMessage): ConnectionInfo {
  return { clientAddress: req.socket?.remoteAddress }
}

/**
 * What the verifier's endpoints read of `req`, its body read into memory (or `body`, when a body
 * parser consumed the stream): no Web `Request` is built, which would cost more than the request.
 */
export async function endpointInputOf(req: IncomingMessage, url: string, body?: string): Promise<EndpointInput> {
  const method = req.method ?? 'GET'
  return {
    method,
    url,
    authorization: authorizationOf(req),
    contentType: req.headers['content-type'],
    contentLength: req.headers['content-length'],
    body: method === 'GET' || method === 'HEAD' ? noBody : (body ?? (await readCapped(req))),
    headers: req.headers,
  }
}

const noBody = new Uint8Array()

/**
 * What a body parser mounted before the adapter read (`req.body` of Express, `ctx.request.body` of Koa),
 * form-encoded again with repeated names kept, so the core refuses duplicates as it would in the stream.
 */
export function reencode(parsed: unknown): string {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(parsed ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item))
  }
  return form.toString()
}
