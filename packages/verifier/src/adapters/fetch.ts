import type { AuthenticateRequestOptions, Principal, Verifier } from '../index.js'
import { requestOptions, toResponse, withHeaders } from '../index.js'

/** A Fetch handler: Bun, Deno, Cloudflare Workers, Next.js route handlers, `@hono/node-server`… */
export type FetchHandler<Args extends unknown[] = []> = (request: Request, ...args: Args) => Promise<Response>

/** A handler that runs only for authenticated requests; `args` are the platform's (env, context, …). */
export type AuthenticatedHandler<Args extends unknown[] = []> = (
  request: Request,
  principal: Principal,
  ...args: Args
) => Response | Promise<Response>

/**
 * The address of the connection's peer, which a Fetch `Request` does not carry: e.g. Bun's
 * `server.requestIP(request)?.address`, or Deno's `info.remoteAddr.hostname`. Brute-force throttling
 * counts failures by it; without it, only per key id.
 */
export type ClientAddressOf<Args extends unknown[] = []> = (request: Request, ...args: Args) => string | undefined

/** Options of {@link oauthRoutes}. */
export interface OAuthRoutesOptions<Args extends unknown[] = []> {
  /** The connection's peer address. Default: unknown. */
  readonly clientAddress?: ClientAddressOf<Args>
}

/** Options of {@link withAuth}. */
export interface WithAuthOptions<Args extends unknown[] = []>
  extends OAuthRoutesOptions<Args>,
    AuthenticateRequestOptions {
  /** Scopes the principal must all have. Default: none. */
  readonly scopes?: readonly string[]
}

/**
 * Answers the token endpoint, the JWKS and the RFC 8414 metadata at the verifier's paths, and hands
 * every other request to `next`.
 */
export function oauthRoutes<Args extends unknown[] = []>(
  verifier: Verifier,
  next: (request: Request, ...args: Args) => Response | Promise<Response>,
  options: OAuthRoutesOptions<Args> = {},
): FetchHandler<Args> {
  return async (request, ...args) => {
    const answer = await verifier.answer(request, { clientAddress: options.clientAddress?.(request, ...args) })
    return answer ? toResponse(answer) : next(request, ...args)
  }
}

/**
 * Wraps `handler` so it runs only for requests with valid credentials (Basic or Bearer) and every one
 * of `options.scopes`, with the principal as its second argument; its response gets the RateLimit fields.
 *
 * Fetch `Headers` join repeated `Authorization` lines with `", "`; the core refuses the joined value.
 */
export function withAuth<Args extends unknown[] = []>(
  verifier: Verifier,
  handler: AuthenticatedHandler<Args>,
  options: WithAuthOptions<Args> = {},
): FetchHandler<Args> {
  const asked = requestOptions(options)
  return async (request, ...args) => {
    const connection = { clientAddress: options.clientAddress?.(request, ...args) }
    const result = await verifier.authenticate(request, connection, asked)
    if (!result.ok) return toResponse(verifier.answerError(result.error))
    const denied = options.scopes && verifier.checkScopes(result.principal, options.scopes)
    if (denied) return toResponse(verifier.answerError(denied))
    return withHeaders(await handler(request, result.principal, ...args), result.headers)
  }
}
