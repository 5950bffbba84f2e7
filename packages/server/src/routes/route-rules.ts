import { normalizeRequestPath } from './request-path.js'

/** What a route asks of a request. */
export type RouteAuth =
  /** Valid credentials (Basic or Bearer) with every one of `scopes`. */
  | { readonly kind: 'required'; readonly scopes: readonly string[] }
  /** Anyone: the gateway allows the request without looking at its credentials. */
  | { readonly kind: 'none' }

/** One rule of a routes file: `{"method": "POST", "path": "/api/*", "scopes": ["write"]}`. */
export interface RouteRule {
  /** An HTTP method, compared exactly (RFC 9110 §9.1: methods are case-sensitive), or `*` for any. */
  readonly method: string
  /**
   * A normalised path ({@link normalizeRequestPath}): matched exactly, or, ending in `/*`, as a prefix:
   * `/public/*` matches `/public/` and every path below it, not `/public`.
   */
  readonly path: string
  readonly auth: RouteAuth
}

/** The answer to an unmatched request: valid credentials, no scope. */
export const DEFAULT_ROUTE_AUTH: RouteAuth = Object.freeze({ kind: 'required', scopes: Object.freeze([]) })

/**
 * What the first rule that matches `method` and the normalised `path` asks; {@link DEFAULT_ROUTE_AUTH}
 * when none does. Paths are compared byte for byte, as URI paths are case-sensitive (RFC 3986 §6.2.2.1).
 */
export function routeAuthFor(rules: readonly RouteRule[], method: string, path: string): RouteAuth {
  for (const rule of rules) {
    if ((rule.method === '*' || rule.method === method) && pathMatches(rule.path, path)) return rule.auth
  }
  return DEFAULT_ROUTE_AUTH
}

function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith('/*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern
}

/**
 * A rule's path as {@link routeAuthFor} compares it: `path` as the file wrote it, characters above
 * U+007F as percent-encoded UTF-8; or why it cannot be used. A path that requests would not carry
 * as written (`/a//b`, `/a/../b`, `/%7Euser`) is refused with the form to write instead, so that a
 * rule never silently means another path than it says.
 */
export function rulePattern(path: string): { readonly pattern: string } | { readonly problem: string } {
  if (/\p{Cs}/u.test(path)) return { problem: 'it holds half of a UTF-16 surrogate pair, which is no character' }
  const prefix = path.endsWith('/*')
  const body = utf8Percent(prefix ? path.slice(0, -1) : path)
  if (body.includes('*')) return { problem: 'a "*" may only end a path, after a "/", as in "/public/*"' }
  if (body.includes('?') || body.includes('#')) return { problem: 'a path has no query or fragment' }
  const normalized = normalizeRequestPath(body)
  if (!normalized.ok) return { problem: `it is not a plain absolute path (${normalized.reason.replaceAll('_', ' ')})` }
  const pattern = normalized.path + (prefix ? '*' : '')
  if (normalized.path !== body) return { problem: `write it as ${JSON.stringify(pattern)}, as requests are compared` }
  return { pattern }
}

/** Characters above U+007F as percent-encoded UTF-8, the form a request carries them in. */
function utf8Percent(text: string): string {
  return text.replace(/[^\x20-\x7e]+/gu, (run) => encodeURIComponent(run))
}
