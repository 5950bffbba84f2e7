import type { Principal, Verifier } from '../index.js'

/** A Fetch handler: Bun, Deno, Cloudflare Workers, Next.js route handlers, `@hono/node-server`… */
export type FetchHandler<Args extends unknown[] = []> = (request: Request, ...args: Args) => Promise<Response>

/** A handler that runs only for authenticated requests; `args` are the platform's (env, context, …). */
export type AuthenticatedHandler<Args extends unknown[] = []> = (
  request: Request,
  principal: Principal,
  ...args: Args
) => Response | Promise<Response>

/** Options of {@link withAuth}. */
export interface WithAuthOptions {
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
): FetchHandler<Args> {
  return async (request, ...args) => (await verifier.handle(request)) ?? next(request, ...args)
}

/**
 * Wraps `handler` so it runs only for requests with valid credentials (Basic or Bearer) and every
 * one of `options.scopes`, and gets the principal as its second argument.
 *
 * Fetch `Headers` join repeated `Authorization` lines with `", "`; the core refuses the joined value.
 */
export function withAuth<Args extends unknown[] = []>(
  verifier: Verifier,
  handler: AuthenticatedHandler<Args>,
  options: WithAuthOptions = {},
): FetchHandler<Args> {
  return async (request, ...args) => {
    const result = await verifier.authenticate(request)
    if (!result.ok) return verifier.errorResponse(result.error)
    const denied = verifier.checkScopes(result.principal, options.scopes ?? [])
    if (denied) return verifier.errorResponse(denied)
    return handler(request, result.principal, ...args)
  }
}
