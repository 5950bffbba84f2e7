import { sha256 } from '@noble/hashes/sha2.js'
import { base64url } from 'jose'
import { constantTimeEqualBytes } from '../lib/constant-time.js'
import { memoize } from '../lib/memo.js'
import { randomBase62 } from '../lib/random.js'
import { hasValidChecksum, SECRET_CHECKSUM_LENGTH, secretChecksum } from './secret-checksum.js'

/** Key ids start with this, so they are recognisable in logs and by secret scanners. */
export const API_KEY_ID_PREFIX = 'lk_'
/** Secrets start with this, so a leaked secret is recognisable by secret scanners. */
export const API_KEY_SECRET_PREFIX = 'lksecret_'

/** 24 base62 characters: about 143 bits, so ids are unguessable too. */
const idLength = 24
/** 43 base62 characters: about 256 bits of entropy, twice the 128-bit floor. */
const secretLength = 43

/** The longest id or secret accepted, issued or imported. */
export const MAX_CREDENTIAL_LENGTH = 256

/**
 * Characters allowed in a presented key id or secret: printable ASCII, as imported keys may use
 * (RFC 7617 excludes only control characters, and a colon in the id). Every id and secret Latchkey
 * issues is drawn from `[A-Za-z0-9_-]`, which needs no escaping in Basic, form or `.properties` encodings.
 */
const credentialPattern = /^[\x20-\x7E]{1,256}$/

/**
 * Matches every secret Latchkey issues, and nothing else but look-alikes: publish it to secret
 * scanners. Secrets issued since 0.3 have 49 characters after the prefix, the last 6 a checksum
 * ({@link isIssuedSecretShape} checks it); earlier ones have 43 and no checksum.
 */
export const API_KEY_SECRET_PATTERN = /\blksecret_(?:[A-Za-z0-9]{49}|[A-Za-z0-9]{43})\b/

/** A new, random API key id. */
export function generateApiKeyId(): string {
  return API_KEY_ID_PREFIX + randomBase62(idLength)
}

/** A new, random API key secret: the prefix, 43 random base62 characters, and a 6-character checksum. */
export function generateApiKeySecret(): string {
  const body = API_KEY_SECRET_PREFIX + randomBase62(secretLength)
  return body + secretChecksum(body)
}

const issuedLength = API_KEY_SECRET_PREFIX.length + secretLength + SECRET_CHECKSUM_LENGTH
const legacyLength = API_KEY_SECRET_PREFIX.length + secretLength
const issuedAlphabet = /^lksecret_[A-Za-z0-9]+$/

/**
 * Whether a presented secret may be checked against a stored hash. A secret with Latchkey's prefix
 * must have the shape of one Latchkey issued: 49 characters after the prefix ending in a valid
 * checksum, or the 43 of secrets issued before checksums. So a mistyped or truncated secret is
 * refused before any store read, and the answer depends on the presented text alone. Secrets without
 * the prefix (imported keys) are not judged here; imports refuse prefixed secrets of any other shape.
 */
export function isIssuedSecretShape(secret: string): boolean {
  if (!secret.startsWith(API_KEY_SECRET_PREFIX)) return true
  if (!issuedAlphabet.test(secret)) return false
  if (secret.length === legacyLength) return true
  return secret.length === issuedLength && hasValidChecksum(secret)
}

/**
 * Whether `value` may be written where people read it (audit events, error messages): it looks like
 * an id and not like a secret. Presented ids are attacker-chosen text, and a caller who swaps id and
 * secret must not get the secret logged.
 */
export function isPrintableKeyId(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(value) && !value.startsWith(API_KEY_SECRET_PREFIX)
}

/**
 * Whether `value` could be an id or secret Latchkey issued or imported (printable ASCII, 1 to 256
 * characters); anything else is refused before a lookup.
 */
export function isWellFormedCredential(value: string): boolean {
  return credentialPattern.test(value)
}

/** Whether `value` may be the id of an imported key: a well-formed credential without a colon (RFC 7617 §2). */
export function isImportableKeyId(value: string): boolean {
  return isWellFormedCredential(value) && !value.includes(':') && value.trim() === value
}

/** Whether `secretHash` is in Latchkey's stored form: `sha256:` and 43 base64url characters. */
export function isSecretHash(secretHash: string): boolean {
  return /^sha256:[A-Za-z0-9_-]{43}$/.test(secretHash)
}

const encoder = new TextEncoder()
const hashPrefix = 'sha256:'

/**
 * The stored form of a secret. Secrets carry at least 128 bits of entropy, so a fast hash is as
 * safe as a slow KDF would be, without the latency and the denial-of-service lever.
 */
export function hashSecret(secret: string): string {
  return hashPrefix + base64url.encode(digestOf(secret))
}

function digestOf(secret: string): Uint8Array {
  return sha256(encoder.encode(secret))
}

/**
 * What the digest of a secret is compared against when the id is unknown, so that case costs the same
 * work. Its value does not matter (an unknown id is refused whatever the comparison says), so it is a
 * constant: a random one made when the module loads would stop the core loading in a Cloudflare
 * Worker, where random values are refused outside a request.
 */
const decoyDigest = new Uint8Array(32)

/** Stored hashes decoded, by their text: decoding one costs about as much as hashing a secret. */
const storedDigest = memoize(10_000, (secretHash: string): Uint8Array | null => {
  if (!secretHash.startsWith(hashPrefix)) return null
  try {
    return base64url.decode(secretHash.slice(hashPrefix.length))
  } catch {
    // Not a hash this version wrote: nothing matches it.
    return null
  }
})

/**
 * Whether `secret` matches `secretHash`, in constant time. Pass `undefined` when the key is unknown:
 * the same hashing and comparison still run, and the answer is `false`.
 */
export function verifySecret(secret: string, secretHash: string | undefined): boolean {
  const stored = secretHash === undefined ? null : storedDigest(secretHash)
  const matches = constantTimeEqualBytes(digestOf(secret), stored ?? decoyDigest)
  return matches && stored !== null
}
