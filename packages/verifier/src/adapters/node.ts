import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { type AuthenticateRequestOptions, type Principal, requestOptions, type Verifier } from '../index.js'
import { requestPathname } from '../request/request-pathname.js'
import { authenticateRequest, authenticateThenNext, guardScopes } from './node-bridge/authenticate-request.js'
import { serveEndpoints, setHeaders, writeAnswer } from './node-bridge/write-answer.js'

export { authorizationOf } from './node-bridge/authorization-lines.js'

declare module 'http' {
  interface IncomingMessage {
    /** The authenticated caller, set by {@link authenticate} and {@link withAuth}. */
    auth?: Principal
  }
}

/** A Connect-style middleware: `next()` goes on, `next(error)` reports an unexpected failure. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

/** A request listener that runs only for authenticated requests, with `req.auth` set. */
export type AuthenticatedListener = (req: IncomingMessage & { auth: Principal }, res: ServerResponse) => void

/** Options of {@link authenticate} and {@link withAuth}. */
export interface AuthenticateOptions extends AuthenticateRequestOptions {
  /** Scopes the caller must all have, as with {@link requireScopes}. Default: none. */
  readonly scopes?: readonly string[]
}

/** Authenticates the request (Basic or Bearer) and sets `req.auth`; refuses the rest with the core's answer. */
export function authenticate(verifier: Verifier, options: AuthenticateOptions = {}): NodeMiddleware {
  const request = requestOptions(options)
  return (req, res, next) => authenticateThenNext(verifier, req, res, req.url ?? '/', options.scopes, next, request)
}

/** Lets a request through only when `req.auth` has every one of `scopes`. Use after {@link authenticate}. */
export function requireScopes(verifier: Verifier, scopes: readonly string[]): NodeMiddleware {
  return (req, res, next) => guardScopes(verifier, req, res, scopes, next)
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata; calls `next()` for every other path. */
export function oauthRoutes(verifier: Verifier): NodeMiddleware {
  const paths = new Set(Object.values(verifier.paths))
  return (req, res, next) => {
    const url = req.url ?? '/'
    serveEndpoints(verifier, paths, req, res, [url, requestPathname(url)], next)
  }
}

/** Wraps `listener` so it runs only for requests with valid credentials and every one of `options.scopes`. */
export function withAuth(
  verifier: Verifier,
  listener: AuthenticatedListener,
  options: AuthenticateOptions = {},
): RequestListener {
  const request = requestOptions(options)
  return (req, res) => {
    const refuse = (error: unknown): void => writeAnswer(res, verifier.answerError(error))
    authenticateRequest(
      verifier,
      req,
      req.url ?? '/',
      (result) => {
        if (!result.ok) return refuse(result.error)
        const denied = options.scopes && verifier.checkScopes(result.principal, options.scopes)
        if (denied) return refuse(denied)
        setHeaders(res, result.headers)
        listener(Object.assign(req, { auth: result.principal }), res)
      },
      refuse,
      request,
    )
  }
}
