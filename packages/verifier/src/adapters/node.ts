import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { AuthenticationResult, Principal, Verifier } from '../index.js'
import { authenticateRequest, authenticateThenNext } from './node-authenticate.js'
import { answerTokenRequest, toWebRequest, writeDescription, writeResponse } from './node-bridge.js'
import { connectionOf } from './node-input.js'

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

/** Authenticates the request (Basic or Bearer) and sets `req.auth`; refuses the rest with the core's answer. */
export function authenticate(verifier: Verifier): NodeMiddleware {
  return (req, res, next) => authenticateThenNext(verifier, req, res, req.url ?? '/', next)
}

/** Lets a request through only when `req.auth` has every one of `scopes`. Use after {@link authenticate}. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): NodeMiddleware {
  return (req, res, next) => {
    if (!req.auth) return next(new Error('requireScopes() must come after authenticate().'))
    const error = verifier.checkScopes(req.auth, scopes)
    if (error) return writeDescription(res, verifier.describeError(error))
    next()
  }
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata; calls `next()` for every other path. */
export function oauthRoutes(verifier: Verifier): NodeMiddleware {
  const paths = new Set(Object.values(verifier.paths))
  return (req, res, next) => {
    const url = req.url ?? '/'
    const { pathname } = new URL(url, 'http://localhost')
    if (!paths.has(pathname)) return next()
    if (pathname === verifier.paths.token) {
      return answerTokenRequest(verifier, req, res, url, next)
    }
    toWebRequest(req, url)
      .then((request) => verifier.handle(request, connectionOf(req)))
      .then((response) => (response ? writeResponse(res, response) : next()))
      .catch(next)
  }
}

/** Wraps `listener` so it runs only for requests with valid credentials and every one of `scopes`. */
export function withAuth(verifier: Verifier, listener: AuthenticatedListener, ...scopes: string[]): RequestListener {
  return (req, res) => {
    const refuse = (error: unknown): void => writeDescription(res, verifier.describeError(error))
    const proceed = (result: AuthenticationResult) => {
      if (!result.ok) return refuse(result.error)
      const denied = verifier.checkScopes(result.principal, scopes)
      if (denied) return refuse(denied)
      listener(Object.assign(req, { auth: result.principal }), res)
    }
    authenticateRequest(verifier, req, req.url ?? '/', proceed, refuse)
  }
}
