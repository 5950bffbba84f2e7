import { Readable } from 'node:stream'
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction, RequestHandler } from 'express'
import type { HttpErrorDescription, Principal, Verifier } from '../index.js'

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
  return (req, res, next) => {
    verifier
      .authenticate({ authorization: req.headersDistinct.authorization ?? [], url: req.originalUrl })
      .then((result) => {
        if (!result.ok) return send(res, verifier.describeError(result.error))
        req.auth = result.principal
        next()
      }, next)
  }
}

/** Lets a request through only when `req.auth` has every one of `scopes`. Mount after {@link authenticate}. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): RequestHandler {
  return (req, res, next) => {
    if (!req.auth) return next(new Error('requireScopes() must come after authenticate().'))
    const error = verifier.checkScopes(req.auth, scopes)
    if (error) return send(res, verifier.describeError(error))
    next()
  }
}

/** Serves the token endpoint, the JWKS and the RFC 8414 metadata at the verifier's paths. */
export function oauthRoutes(verifier: Verifier): RequestHandler {
  const paths = new Set(Object.values(verifier.paths))
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    if (!paths.has(req.path)) return next()
    verifier
      .handle(toWebRequest(req))
      .then(async (response) => {
        if (!response) return next()
        const headers = Object.fromEntries(response.headers)
        send(res, { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) })
      })
      .catch(next)
  }
}

/** Writes the core's answer as it is: `res.set` would rewrite `Content-Type`, so raw headers are used. */
function send(res: ExpressResponse, { status, headers, body }: HttpErrorDescription | ResponseParts): void {
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.end(body)
}

interface ResponseParts {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

function toWebRequest(req: ExpressRequest): Request {
  const headers = new Headers()
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    for (const value of values ?? []) headers.append(name, value)
  }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    // A body parser mounted earlier has consumed the stream: re-encode what it parsed, repeats included.
    init.body = req.readableEnded ? reencode(req.body) : (Readable.toWeb(req) as ReadableStream<Uint8Array>)
    init.duplex = 'half'
  }
  return new Request(new URL(req.originalUrl, 'http://localhost'), init)
}

function reencode(body: unknown): string {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(body ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item))
  }
  return form.toString()
}
