import { invalidRequest } from '../refusals.js'

/** The token of Bearer credentials (RFC 6750 §2.1). */
export interface BearerCredentials {
  readonly scheme: 'bearer'
  readonly token: string
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
const b64tokenPattern = /^[A-Za-z0-9\-._~+/]+=*$/

/** Parses the b64token of a Bearer `Authorization` value. Throws `ERR_INVALID_REQUEST`. */
export function parseBearer(token: string): BearerCredentials {
  if (!b64tokenPattern.test(token)) throw invalidRequest('The Bearer token is malformed.')
  return { scheme: 'bearer', token }
}

/**
 * The token of `value` when it is written exactly as clients send one (`Bearer ` and the token), for
 * a lookup among tokens verified before; anything else, `undefined`. Such a token passed
 * {@link parseBearer} when it was verified, and only the exact same string is ever found.
 */
export function bearerTokenOf(value: string): string | undefined {
  return value.startsWith('Bearer ') ? value.slice(7) : undefined
}
