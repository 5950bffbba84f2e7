import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthenticationInput, ConnectionInfo, HttpErrorDescription } from '../index.js'
import { readCapped } from './node-body.js'

/**
 * Every `Authorization` header line of `req`. `req.headers` keeps only the first of repeated lines,
 * and the core must see them all to refuse duplicates. Read from `rawHeaders`: building
 * `headersDistinct` for every request would cost more than the rest of the adapter.
 */
export function authorizationOf(req: IncomingMessage): readonly string[] {
  const raw = req.rawHeaders
  let values: string[] | undefined
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]
    const value = raw[index + 1]
    if (name?.length === 13 && value !== undefined && name.toLowerCase() === 'authorization') {
      values ??= []
      values.push(value)
    }
  }
  return values ?? noValues
}

const noValues: readonly string[] = Object.freeze([])

/**
 * What the core authenticates: the `Authorization` lines, the URL, the peer address and the headers.
 * `req.headers` joins repeated forwarding headers with commas, which is how the core reads them.
 */
export function inputOf(req: IncomingMessage, url: string): AuthenticationInput {
  return { authorization: authorizationOf(req), url, clientAddress: req.socket?.remoteAddress, headers: req.headers }
}

/** The connection's peer address; the core decides whether to believe forwarding headers. */
export function connectionOf(req: IncomingMessage): ConnectionInfo {
  return { clientAddress: req.socket?.remoteAddress }
}

/** `req` as a Web `Request`, repeated headers kept; `body` replaces the stream when a parser consumed it. */
export async function toWebRequest(req: IncomingMessage, url: string, body?: string): Promise<Request> {
  const headers = new Headers()
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    for (const value of values ?? []) headers.append(name, value)
  }
  const init: RequestInit = { method: req.method ?? 'GET', headers }
  if (init.method !== 'GET' && init.method !== 'HEAD') init.body = body ?? (await readCapped(req))
  return new Request(new URL(url, 'http://localhost'), init)
}

/** Writes the core's answer as it is: header names and values untouched, no charset added. */
export function writeDescription(res: ServerResponse, description: HttpErrorDescription): void {
  write(res, description.status, Object.entries(description.headers), description.body)
}

/** Writes a Web `Response` of the core to `res`. */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  write(res, response.status, [...response.headers], new Uint8Array(await response.arrayBuffer()))
}

function write(
  res: ServerResponse,
  status: number,
  headers: Iterable<[string, string]>,
  body: string | Uint8Array,
): void {
  res.statusCode = status
  for (const [name, value] of headers) res.setHeader(name, value)
  res.end(body)
}
