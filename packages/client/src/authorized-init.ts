/**
 * The `RequestInit` to send: the caller's, without the client-only `scope`, with `Authorization`
 * replacing any the caller gave. No `Request` is built: `fetch(url, init)` builds the only one, as
 * a plain `fetch` call would, where passing a `Request` makes undici copy it into a second.
 */
export function authorizedInit(
  init: (RequestInit & { scope?: unknown }) | undefined,
  authorization: string,
): RequestInit {
  if (init === undefined) return { headers: { authorization } }
  const { scope: _, headers, ...rest } = init
  if (headers === undefined) return { ...rest, headers: { authorization } }
  // A Headers copy, so a caller's `Authorization` in any case is replaced, not joined to ours.
  const merged = new Headers(headers)
  merged.set('authorization', authorization)
  return { ...rest, headers: merged }
}

const normalizedMethods = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])

/** The method as a `Request` reports it (Fetch §2.2.1 "normalize a method"): these six upper-cased, others as given. */
export function requestMethod(method: string | undefined): string {
  if (method === undefined) return 'GET'
  const upper = method.toUpperCase()
  return normalizedMethods.has(upper) ? upper : method
}
