import { LatchkeyError } from './errors.js'

/** What an `Authorization` header carried. */
export type AuthorizationCredentials =
  | { readonly scheme: 'basic'; readonly userId: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string }
  | { readonly scheme: 'other' }

/** Longest `Authorization` value read at all (bytes of UTF-16 code units); longer ones are malformed. */
export const MAX_AUTHORIZATION_LENGTH = 8192

// RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
const credentialsPattern = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/s
// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
const b64tokenPattern = /^[A-Za-z0-9\-._~+/]+=*$/
// RFC 4648 §4, canonical: whole quanta, padding only at the end.
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
// RFC 7617 §2: neither part may contain control characters (C0, DEL and C1).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const controlPattern = /[\u0000-\u001F\u007F-\u009F]/
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Parses one `Authorization` header value. The scheme is case-insensitive (RFC 9110 §11.1).
 * Basic (RFC 7617) is strict: canonical base64, valid UTF-8, split at the first colon, no control
 * characters. Throws `ERR_INVALID_REQUEST` for a malformed Basic or Bearer value; a scheme Latchkey
 * does not know is returned as `other`.
 */
export function parseAuthorization(value: string): AuthorizationCredentials {
  if (value.length > MAX_AUTHORIZATION_LENGTH) throw malformed('The Authorization header is too long.')
  const match = credentialsPattern.exec(value)
  if (!match) throw malformed('The Authorization header is malformed.')
  const scheme = match[1]?.toLowerCase()
  const rest = match[2] ?? ''
  if (scheme === 'basic') return parseBasic(rest)
  if (scheme === 'bearer') {
    if (!b64tokenPattern.test(rest)) throw malformed('The Bearer token is malformed.')
    return { scheme: 'bearer', token: rest }
  }
  return { scheme: 'other' }
}

function parseBasic(encoded: string): AuthorizationCredentials {
  if (encoded === '' || !base64Pattern.test(encoded)) throw malformed('The Basic credentials are not valid base64.')
  // atob ignores non-zero bits in the last character's padding; only the canonical form is accepted.
  if (!hasCanonicalEnd(encoded)) throw malformed('The Basic credentials are not canonical base64.')
  const binary = atob(encoded)
  // Issued ids and secrets are printable ASCII, which is its own UTF-8: decode only anything else.
  let decoded = binary
  if (!/^[\x20-\x7E]*$/.test(binary)) {
    try {
      decoded = utf8.decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)))
    } catch {
      throw malformed('The Basic credentials are not valid UTF-8.')
    }
  }
  const colon = decoded.indexOf(':')
  if (colon === -1) throw malformed('The Basic credentials have no colon between id and secret.')
  if (controlPattern.test(decoded)) throw malformed('The Basic credentials contain control characters.')
  return { scheme: 'basic', userId: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * Whether the bits the padding leaves over are zero (RFC 4648 §3.5): before `==` the last character
 * carries 4 unused bits, before `=` 2. Unpadded base64 has none.
 */
function hasCanonicalEnd(encoded: string): boolean {
  if (!encoded.endsWith('=')) return true
  const padding = encoded.endsWith('==') ? 2 : 1
  const last = base64Alphabet.indexOf(encoded.charAt(encoded.length - padding - 1))
  return (last & (padding === 2 ? 0b1111 : 0b11)) === 0
}

function malformed(message: string): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_REQUEST', message)
}
