import { createVerifier, type Principal } from '@latchkey/verifier'
import { oauthRoutes as nextOAuthRoutes, type OAuthRouteHandlers } from '@latchkey/verifier/next'

// Loaded by Node at run time, not bundled: the SQLite store holds a native module webpack cannot pack.
const { DEFAULT_DATABASE_URL, invocationDirectory, keyEncryptionKeyFromEnvironment, openKeyStore } = (await import(
  /* webpackIgnore: true */ '@latchkey/cli'
)) as typeof import('@latchkey/cli')

const port = Number(process.env.PORT ?? 3000)
const databaseUrl = process.env.LATCHKEY_DATABASE_URL ?? DEFAULT_DATABASE_URL
// Every instance that shares a database must name the same issuer, whatever port it listens on.
const issuer = process.env.LATCHKEY_ISSUER ?? `http://localhost:${port}`
// Relative paths, the default database's too, are resolved where the command was typed (pnpm's
// INIT_CWD), not in this package's folder: at the repository root, the file `pnpm latchkey` manages.
const cwd = invocationDirectory(process.env, process.cwd())
// Private signing keys are sealed at rest when LATCHKEY_KEY_ENCRYPTION_KEY (or _FILE) is set.
const keyEncryptionKey = keyEncryptionKeyFromEnvironment(process.env, cwd)

/** One verifier for every route handler of the server process. */
export const verifier = createVerifier({
  store: await openKeyStore(databaseUrl, { cwd }),
  issuer,
  scopesSupported: ['read', 'write'],
  ...(keyEncryptionKey ? { keyEncryptionKey } : {}),
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
