import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpDescription, Verifier } from '../index.js'
import { isAbandoned, readCapped } from './node-body.js'
import { connectionOf, tokenInputOf } from './node-input.js'

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

/** The core's answer to the token request in `req`, from its parts: no Web `Request` or `Response`. */
export async function tokenAnswer(
  verifier: Verifier,
  req: IncomingMessage,
  url: string,
  body?: string,
): Promise<HttpDescription> {
  return verifier.answerTokenRequest(await tokenInputOf(req, url, body), connectionOf(req))
}

/** Answers a token request from `req`'s parts and writes the answer to `res`. */
export function answerTokenRequest(
  verifier: Verifier,
  req: IncomingMessage,
  res: ServerResponse,
  url: string,
  fail: (error: unknown) => void,
  body?: string,
): void {
  tokenAnswer(verifier, req, url, body)
    .then((answer) => writeDescription(res, answer))
    .catch(fail)
}

/**
 * Has Node close the connection once the answer to `res.req` is written when that request's body was
 * abandoned: the client may still be sending it, and what is left unread would hold the connection.
 */
export function closeIfAbandoned(res: ServerResponse): void {
  if (isAbandoned(res.req)) res.setHeader('Connection', 'close')
}

/** Writes the core's answer as it is: header names and values untouched, no charset added. */
export function writeDescription(res: ServerResponse, description: HttpDescription): void {
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
  closeIfAbandoned(res)
  res.statusCode = status
  for (const [name, value] of headers) res.setHeader(name, value)
  res.end(body)
}
