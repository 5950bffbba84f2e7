import type { RequestHandler } from 'express'
import type { AuthenticateRequestOptions, Principal, Verifier } from '../index.js'
import { requestOptions } from '../index.js'
import { authenticateThenNext, guardScopes } from './node-bridge/authenticate-request.js'
import { reencode } from './node-bridge/request-input.js'
import { serveEndpoints } from './node-bridge/write-answer.js'

declare global {
  namespace Express {
    interface Request {
      /** The authenticated caller, set by {@link authenticate}. */
      auth?: Principal
    }
  }
}

/** Options of {@link authenticate}. */
export interface AuthenticateOptions extends AuthenticateRequestOptions {
  /** Scopes the caller must all have, as with {@link requireScopes}. Default: none. */
  readonly scopes?: readonly string[]
}

/** Authenticates every request (Basic or Bearer) and sets `req.auth`; refuses the rest with the core's answer. */
export function authenticate(verifier: Verifier, options: AuthenticateOptions = {}): RequestHandler {
  const request = requestOptions(options)
  return (req, res, next) => authenticateThenNext(verifier, req, res, req.originalUrl, options.scopes, next, request)
}

/** Lets a request through only when `req.auth` has every one of `scopes`. Mount after {@link authenticate}. */
export function requireScopes(verifier: Verifier, scopes: readonly string[]): RequestHandler {
  return (req, res, next) => guardScopes(verifier, req, res, scopes, next)
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata at the verifier's paths. */
export function oauthRoutes(verifier: Verifier): RequestHandler {
  const paths = new Set(Object.values(verifier.paths))
  return (req, res, next) => {
    // Every other request of the app passes here: it goes on before anything else is read of it.
    const { path } = req
    if (!paths.has(path)) return next()
    // A body parser mounted earlier has consumed the stream: re-encode what it parsed, repeats included.
    const body = req.readableEnded ? reencode(req.body) : undefined
    serveEndpoints(verifier, paths, req, res, [req.originalUrl, path], next, body)
  }
}
