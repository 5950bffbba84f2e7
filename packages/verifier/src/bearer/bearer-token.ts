import type { FailureReason } from '../errors.js'
import { invalidRequest } from '../refusals.js'

/** Longest token verified at all; longer ones are refused before any signature work. */
export const MAX_TOKEN_LENGTH = 4096

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

// RFC 7515 §7.1: the JWS Compact Serialization, three base64url segments (RFC 7515 §2: unpadded).
const compactPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * Whether `token` is a JWS in its one canonical spelling: three unpadded base64url segments, each
 * ending in a character whose spare bits are zero (RFC 4648 §3.5). Decoders accept the other
 * spellings (padding, spare bits set) as the same bytes, which would give one token several strings:
 * each a separate entry in the token caches, and a way around any list keyed on the exact string.
 */
export function isCanonicalToken(token: string): boolean {
  if (!compactPattern.test(token)) return false
  let end = token.length
  for (let segment = 0; segment < 3; segment++) {
    const start = token.lastIndexOf('.', end - 1) + 1
    const remainder = (end - start) % 4
    if (remainder === 1) return false
    const spare = remainder === 2 ? 0b1111 : remainder === 3 ? 0b11 : 0
    if ((base64urlAlphabet.indexOf(token.charAt(end - 1)) & spare) !== 0) return false
    end = start - 1
  }
  return true
}

/**
 * Why `token` is refused before any signature work, or `undefined`: too long to verify at all
 * (`malformed_token`), or not a JWS in its canonical spelling (`token_invalid`, as jose names a
 * string that is no JWS).
 */
export function shapeRefusal(token: string): FailureReason | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return 'malformed_token'
  return isCanonicalToken(token) ? undefined : 'token_invalid'
}
