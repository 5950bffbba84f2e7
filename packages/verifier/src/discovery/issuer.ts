/**
 * `issuer` when it is an issuer identifier (RFC 8414 §2): an absolute http(s) URL with no query or
 * fragment, as `createVerifier` requires. Throws a `TypeError` that says what to pass instead.
 */
export function validIssuer(issuer: string): string {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new TypeError(
      `issuer must be an absolute URL such as https://api.example.com, not ${JSON.stringify(issuer)}.`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('issuer must be an http(s) URL.')
  if (url.search || url.hash) throw new TypeError('issuer must have no query or fragment (RFC 8414 §2).')
  return issuer
}

/** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
export function metadataPath(issuer: string): string {
  const path = new URL(issuer).pathname.replace(/\/$/, '')
  return `/.well-known/oauth-authorization-server${path}`
}
