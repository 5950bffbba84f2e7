import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpAnswer } from '../../http/http-answer.js'
import type { Verifier } from '../../verifier.js'
import { isAbandoned } from './request-body.js'
import { connectionOf, endpointInputOf } from './request-input.js'

/**
 * Has Node close the connection once the answer to `res.req` is written when that request's body was
 * abandoned: the client may still be sending it, and what is left unread would hold the connection.
 */
export function closeIfAbandoned(res: ServerResponse): void {
  if (isAbandoned(res.req)) res.setHeader('Connection', 'close')
}

/** Every method a framework routes the verifier's paths on: the core, not the framework, answers the wrong ones. */
export const endpointMethods: ('DELETE' | 'GET' | 'HEAD' | 'PATCH' | 'POST' | 'PUT' | 'OPTIONS')[] = [
  'DELETE',
  'GET',
  'HEAD',
  'PATCH',
  'POST',
  'PUT',
  'OPTIONS',
]

/** Writes the core's answer as it is: header names and values untouched, no charset added. */
export function writeAnswer(res: ServerResponse, { status, headers, body }: HttpAnswer): void {
  closeIfAbandoned(res)
  res.statusCode = status
  for (const name in headers) res.setHeader(name, headers[name] as string)
  res.end(body)
}

/** Sets `headers` (an allowed request's `AuthenticationResult.headers`, when it has them) on `res`. */
export function setHeaders(res: ServerResponse, headers: Readonly<Record<string, string>> | undefined): void {
  if (headers) for (const name in headers) res.setHeader(name, headers[name] as string)
}

/** The verifier's answer to `req`, a request to one of its paths; `body` when a parser consumed it. */
export async function endpointAnswer(
  verifier: Verifier,
  req: IncomingMessage,
  url: string,
  body?: string,
): Promise<HttpAnswer | undefined> {
  return verifier.answer(await endpointInputOf(req, url, body), connectionOf(req))
}

/**
 * Connect-style serving of the verifier's paths (Express, `node:http` middleware): writes the answer
 * to a request for one of them, calls `next()` for any other path, and `next(error)` on a failure.
 */
export function serveEndpoints(
  verifier: Verifier,
  paths: ReadonlySet<string>,
  req: IncomingMessage,
  res: ServerResponse,
  [url, pathname]: readonly [url: string, pathname: string],
  next: (error?: unknown) => void,
  body?: string,
): void {
  if (!paths.has(pathname)) {
    next()
    return
  }
  endpointAnswer(verifier, req, url, body)
    .then((answer) => (answer ? writeAnswer(res, answer) : next()))
    .catch(next)
}
