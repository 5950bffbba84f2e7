import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Principal } from '../../principal.js'
import type { AuthenticateRequestOptions, AuthenticationResult, Verifier } from '../../verifier.js'
import { connectionOf, inputOf } from './request-input.js'
import { setHeaders, writeAnswer } from './write-answer.js'

/**
 * Authenticates a Node request and hands the result to `proceed`: in the same turn when the verifier
 * answers from memory ({@link Verifier.authenticateNow}: the usual request, a secret or token it has
 * seen, of a usable key), so the framework goes on without a promise to settle; otherwise once the
 * verifier's promise settles. `fail` gets a rejection, which a verifier made by `createVerifier`
 * never gives. `options` are the route's (its cost), checked by `requestOptions`.
 */
export function authenticateRequest(
  verifier: Verifier,
  req: IncomingMessage,
  url: string,
  proceed: (result: AuthenticationResult) => void,
  fail: (error: unknown) => void,
  options?: AuthenticateRequestOptions,
): void {
  const result = verifier.authenticateNow(inputOf(req, url), connectionOf(req), options)
  if (result instanceof Promise) result.then(proceed, fail)
  else proceed(result)
}

/**
 * Connect-style authentication (Express, `node:http` middleware): sets `req.auth` and calls `next()`,
 * or writes the verifier's refusal; `scopes` must all be granted. `next(error)` gets a rejection.
 * An allowed request's header fields (its rate limits) are set on `res` for the API's own answer.
 */
export function authenticateThenNext(
  verifier: Verifier,
  req: IncomingMessage & { auth?: Principal },
  res: ServerResponse,
  url: string,
  scopes: readonly string[] | undefined,
  next: (error?: unknown) => void,
  options?: AuthenticateRequestOptions,
): void {
  const proceed = (result: AuthenticationResult) => {
    const refusal = result.ok ? scopes && verifier.checkScopes(result.principal, scopes) : result.error
    if (refusal) return writeAnswer(res, verifier.answerError(refusal))
    if (result.ok) {
      setHeaders(res, result.headers)
      req.auth = result.principal
    }
    next()
  }
  authenticateRequest(verifier, req, url, proceed, next, options)
}

/** A Connect-style scope guard: `next()` when `req.auth` has every one of `scopes`, else the refusal. */
export function guardScopes(
  verifier: Verifier,
  req: IncomingMessage & { auth?: Principal },
  res: ServerResponse,
  scopes: readonly string[],
  next: (error?: unknown) => void,
): void {
  const refusal = verifier.checkScopes(req.auth, scopes)
  if (refusal) writeAnswer(res, verifier.answerError(refusal))
  else next()
}
