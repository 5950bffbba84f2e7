import type { IncomingMessage, ServerResponse } from 'node:http'
import { authenticateNow } from '../authenticate-now.js'
import type { AuthenticationResult, Principal, Verifier } from '../index.js'
import { writeDescription } from './node-bridge.js'
import { inputOf } from './node-input.js'

/**
 * Authenticates a Node request and hands the result to `proceed`: in the same turn when the verifier
 * answers from memory (the usual request: a secret or token it has seen, of a usable key), so the
 * framework goes on without a promise to settle; otherwise once the verifier's promise settles.
 * `fail` gets a rejection, which a verifier made by `createVerifier` never gives.
 */
export function authenticateRequest(
  verifier: Verifier,
  req: IncomingMessage,
  url: string,
  proceed: (result: AuthenticationResult) => void,
  fail: (error: unknown) => void,
): void {
  const result = authenticateNow(verifier, inputOf(req, url))
  if (result instanceof Promise) result.then(proceed, fail)
  else proceed(result)
}

/**
 * Connect-style authentication (Express, `node:http` middleware): sets `req.auth` and calls `next()`,
 * or writes the verifier's refusal; `next(error)` gets a rejection.
 */
export function authenticateThenNext(
  verifier: Verifier,
  req: IncomingMessage & { auth?: Principal },
  res: ServerResponse,
  url: string,
  next: (error?: unknown) => void,
): void {
  const proceed = (result: AuthenticationResult) => {
    if (!result.ok) return writeDescription(res, verifier.describeError(result.error))
    req.auth = result.principal
    next()
  }
  authenticateRequest(verifier, req, url, proceed, next)
}
