import { createVerifier, type Principal } from '@latchkey/verifier'
import { oauthRoutes as nextOAuthRoutes, type OAuthRouteHandlers } from '@latchkey/verifier/next'

// Loaded by Node at run time, not bundled: the SQLite store holds a native module webpack cannot pack.
const { openKeyStore, serverSettingsFromEnvironment } = (await import(
  /* webpackIgnore: true */ '@latchkey/cli'
)) as typeof import('@latchkey/cli')

// The settings src/server.ts has checked before Next loads this module; relative paths, the default
// database's too, are read where the command was typed: at the repository root, the file `pnpm latchkey` manages.
const settings = serverSettingsFromEnvironment(process.env, process.cwd())

/** One verifier for every route handler of the server process. */
export const verifier = createVerifier({
  ...settings.verifier,
  store: await openKeyStore(settings.databaseUrl, { cwd: settings.cwd }),
  issuer: settings.issuer,
  scopesSupported: ['read', 'write'],
})

const handlers = nextOAuthRoutes(verifier)

/** The method exports of the token, JWKS and metadata `route.ts` files, logged. */
export const oauthRoutes: OAuthRouteHandlers = {
  GET: logged(handlers.GET),
  HEAD: logged(handlers.HEAD),
  POST: logged(handlers.POST),
  PUT: logged(handlers.PUT),
  PATCH: logged(handlers.PATCH),
  DELETE: logged(handlers.DELETE),
  OPTIONS: logged(handlers.OPTIONS),
}

const principals = new WeakMap<Request, Principal>()

/** Express's `res.json`, so every example answers with the same bytes; remembers who asked, for the log. */
export function json(request: Request, principal: Principal, body: unknown): Response {
  principals.set(request, principal)
  return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json; charset=utf-8' } })
}

/** One line per request: never the Authorization header, only the key id once it is proven. */
export function logged<Args extends unknown[]>(
  handler: (request: Request, ...args: Args) => Promise<Response>,
): (request: Request, ...args: Args) => Promise<Response> {
  return async (request, ...args) => {
    const started = performance.now()
    const response = await handler(request, ...args)
    const duration = (performance.now() - started).toFixed(1)
    const { pathname } = new URL(request.url)
    const keyId = principals.get(request)?.keyId ?? '-'
    console.log(`${request.method} ${pathname} ${response.status} ${keyId} ${duration}ms`)
    return response
  }
}
