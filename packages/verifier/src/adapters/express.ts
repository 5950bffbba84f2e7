import type { RequestHandler } from 'express'
import type { Principal, Verifier } from '../index.js'
import { authenticateThenNext } from './node-authenticate.js'
import { answerTokenRequest, toWebRequest, writeDescription, writeResponse } from './node-bridge.js'
import { connectionOf, reencode } from './node-input.js'

declare global {
  namespace Express {
    interface Request {
      /** The authenticated caller, set by {@link authenticate}. */
      auth?: Principal
    }
  }
}

/** Authenticates every request (Basic or Bearer) and sets `req.auth`; refuses the rest with the core's answer. */
export function authenticate(verifier: Verifier): RequestHandler {
  return (req, res, next) => authenticateThenNext(verifier, req, res, req.originalUrl, next)
}

/** Lets a request through only when `req.auth` has every one of `scopes`. Mount after {@link authenticate}. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): RequestHandler {
  return (req, res, next) => {
    if (!req.auth) return next(new Error('requireScopes() must come after authenticate().'))
    const error = verifier.checkScopes(req.auth, scopes)
    if (error) return writeDescription(res, verifier.describeError(error))
    next()
  }
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata at the verifier's paths. */
export function oauthRoutes(verifier: Verifier): RequestHandler {
  const paths = new Set(Object.values(verifier.paths))
  return (req, res, next) => {
    if (!paths.has(req.path)) return next()
    // A body parser mounted earlier has consumed the stream: re-encode what it parsed, repeats included.
    const body = req.readableEnded ? reencode(req.body) : undefined
    if (req.path === verifier.paths.token) {
      return answerTokenRequest(verifier, req, res, req.originalUrl, next, body)
    }
    toWebRequest(req, req.originalUrl, body)
      .then((request) => verifier.handle(request, connectionOf(req)))
      .then((response) => (response ? writeResponse(res, response) : next()))
      .catch(next)
  }
}
