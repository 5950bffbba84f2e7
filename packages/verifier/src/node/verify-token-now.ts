import { KeyObject, verify } from 'node:crypto'
import { errors } from 'jose'
import { final, type TokenSettings, type VerifiedAccessToken } from '../bearer/access-token.js'
import { accessTokenAlgorithms, checkAccessTokenClaims } from '../bearer/access-token-claims.js'
import { invalidToken } from '../refusals.js'
import type { LoadedKey } from '../signing-keys/signing-key-ring.js'

/**
 * Verifies an access token of the canonical shape in the same turn, through `node:crypto`: a Web
 * Crypto verification (jose's) is a job on the thread pool and a promise, which cost more CPU than the
 * Ed25519 check itself. It reads the token as jose's `jwtVerify` does, step by step and in its order
 * (protected header, `alg`, the key of `kid`, the signature, the claims: see `checkAccessTokenClaims`),
 * so it answers every token as jose would; a differential property test holds the two to it. It
 * leaves to jose (`undefined`) a header naming `crit` (jose reads `b64` only when `crit` lists it), and a `kid` whose key the ring does
 * not hold ready.
 */
export function verifyTokenNow(settings: TokenSettings, token: string): VerifiedAccessToken | undefined {
  const headerEnd = token.indexOf('.')
  const payloadEnd = token.indexOf('.', headerEnd + 1)
  const header = jsonObjectOf(token.slice(0, headerEnd))
  if (header === undefined) throw refused('token_invalid')
  if (Object.hasOwn(header, 'crit')) return undefined
  const { alg, kid } = header
  if (typeof alg !== 'string' || !accessTokenAlgorithms.includes(alg)) throw refused('token_invalid')
  if (kid === undefined) throw refused('token_invalid')
  const loaded = typeof kid === 'string' ? settings.ring.verificationKeyNow(kid) : undefined
  if (loaded === undefined) return undefined
  if (loaded.alg !== alg) throw refused('token_invalid')
  const signature = Buffer.from(token.slice(payloadEnd + 1), 'base64url')
  if (!signatureHolds(loaded, Buffer.from(token.slice(0, payloadEnd), 'latin1'), signature)) {
    throw final(invalidToken('token_invalid', new errors.JWSSignatureVerificationFailed()))
  }
  const claims = jsonObjectOf(token.slice(headerEnd + 1, payloadEnd))
  if (claims === undefined) throw refused('token_invalid')
  try {
    return { claims: checkAccessTokenClaims(settings, header, claims), kid: loaded.kid }
  } catch (error) {
    throw final(error as ReturnType<typeof invalidToken>)
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** The JSON object a base64url segment encodes, read as jose reads one; `undefined` if it is none. */
function jsonObjectOf(segment: string): Record<string, unknown> | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')))
  } catch {
    return undefined
  }
  return isPlainObject(parsed) ? parsed : undefined
}

/** jose's `isObject`: a plain object, not an array, a boxed value or a class instance. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') {
    return false
  }
  const prototype = Object.getPrototypeOf(value)
  return prototype === null || Object.getPrototypeOf(prototype) === null
}

/** The ring's public keys as `node:crypto` key objects, made once per key. */
const keyObjects = new WeakMap<object, KeyObject>()

/** Whether `signature` is `loaded`'s over `input`: Ed25519, or ES256 in the JWS form (r ‖ s, RFC 7518 §3.4). */
function signatureHolds(loaded: LoadedKey, input: Buffer, signature: Buffer): boolean {
  let key = keyObjects.get(loaded.key)
  if (key === undefined) {
    key = KeyObject.from(loaded.key)
    keyObjects.set(loaded.key, key)
  }
  try {
    return loaded.alg === 'EdDSA'
      ? verify(null, input, key, signature)
      : verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature)
  } catch {
    // As Web Crypto, which answers `false`, or jose, which turns a throw into a failed signature.
    return false
  }
}

function refused(reason: 'token_invalid'): Error {
  return final(invalidToken(reason))
}
