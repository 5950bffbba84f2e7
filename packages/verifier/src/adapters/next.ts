import type { Verifier } from '../index.js'
import { type FetchHandler, oauthRoutes as fetchOAuthRoutes, type OAuthRoutesOptions } from './fetch.js'

export type { AuthenticatedHandler, ClientAddressOf, OAuthRoutesOptions, WithAuthOptions } from './fetch.js'
/** Guards an App Router route handler: `export const POST = withAuth(verifier, handler, { scopes: ['write'] })`. */
export { withAuth } from './fetch.js'

/** The method exports of an App Router `route.ts`. */
export interface OAuthRouteHandlers {
  readonly GET: FetchHandler
  readonly HEAD: FetchHandler
  readonly POST: FetchHandler
  readonly PUT: FetchHandler
  readonly PATCH: FetchHandler
  readonly DELETE: FetchHandler
  readonly OPTIONS: FetchHandler
}

/**
 * Route handlers for the verifier's paths, for `app/oauth/token/route.ts`,
 * `app/.well-known/jwks.json/route.ts` and `app/.well-known/oauth-authorization-server/route.ts`:
 * `export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = oauthRoutes(verifier)`.
 * Every method is exported so that the core, not Next.js, answers the wrong ones.
 */
export function oauthRoutes(verifier: Verifier, options: OAuthRoutesOptions = {}): OAuthRouteHandlers {
  const handler = fetchOAuthRoutes(
    verifier,
    (request) => {
      const { pathname } = new URL(request.url)
      throw new Error(
        `${pathname} is not one of the verifier's paths (${Object.values(verifier.paths).join(', ')}): ` +
          'mount oauthRoutes() only in the route.ts files of those paths.',
      )
    },
    options,
  )
  return { GET: handler, HEAD: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler, OPTIONS: handler }
}
