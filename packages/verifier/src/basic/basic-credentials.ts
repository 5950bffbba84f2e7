import { hasControlCharacters } from '../lib/control-characters.js'
import { invalidRequest } from '../refusals.js'

/** The user id and password of Basic credentials (RFC 7617). */
export interface BasicCredentials {
  readonly scheme: 'basic'
  readonly userId: string
  readonly password: string
}

// RFC 4648 §4, canonical: whole quanta, padding only at the end.
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Parses the token68 of a Basic `Authorization` value (RFC 7617 §2), strictly: canonical base64,
 * valid UTF-8, split at the first colon, no control characters in either part. Throws
 * `ERR_INVALID_REQUEST`.
 */
export function parseBasic(encoded: string): BasicCredentials {
  if (encoded === '' || !base64Pattern.test(encoded)) {
    throw invalidRequest('The Basic credentials are not valid base64.')
  }
  // atob ignores non-zero bits in the last character's padding; only the canonical form is accepted.
  if (!hasCanonicalEnd(encoded)) throw invalidRequest('The Basic credentials are not canonical base64.')
  const binary = atob(encoded)
  // Issued ids and secrets are printable ASCII, which is its own UTF-8: decode only anything else.
  let decoded = binary
  if (!/^[\x20-\x7E]*$/.test(binary)) {
    try {
      decoded = utf8.decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)))
    } catch {
      throw invalidRequest('The Basic credentials are not valid UTF-8.')
    }
  }
  const colon = decoded.indexOf(':')
  if (colon === -1) throw invalidRequest('The Basic credentials have no colon between id and secret.')
  if (hasControlCharacters(decoded)) throw invalidRequest('The Basic credentials contain control characters.')
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
