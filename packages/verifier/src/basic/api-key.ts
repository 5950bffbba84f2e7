import { sha256 } from '@noble/hashes/sha2.js'
import { base64url } from 'jose'
import { constantTimeEqualBytes } from '../lib/constant-time.js'
import { memoize } from '../lib/memo.js'
import { randomBase62 } from '../lib/random.js'

/** Key ids start with this, so they are recognisable in logs and by secret scanners. */
export const API_KEY_ID_PREFIX = 'lk_'
/** Secrets start with this, so a leaked secret is recognisable by secret scanners. */
export const API_KEY_SECRET_PREFIX = 'lksecret_'

/** 24 base62 characters: about 143 bits, so ids are unguessable too. */
const idLength = 24
/** 43 base62 characters: about 256 bits of entropy, twice the 128-bit floor. */
const secretLength = 43

/**
 * Characters allowed in a presented key id or secret. Every id and secret Latchkey issues is drawn
 * from `[A-Za-z0-9_-]`, which needs no escaping in Basic, form or `.properties` encodings.
 */
const credentialPattern = /^[A-Za-z0-9_-]{1,256}$/

/** Matches every secret Latchkey issues; publish it to secret scanners. */
export const API_KEY_SECRET_PATTERN = /\blksecret_[A-Za-z0-9]{43}\b/

/** A new, random API key id. */
export function generateApiKeyId(): string {
  return API_KEY_ID_PREFIX + randomBase62(idLength)
}

/** A new, random API key secret. */
export function generateApiKeySecret(): string {
  return API_KEY_SECRET_PREFIX + randomBase62(secretLength)
}

/**
 * Whether `value` may be written where people read it (audit events, error messages): it looks like
 * an id and not like a secret. Presented ids are attacker-chosen text, and a caller who swaps id and
 * secret must not get the secret logged.
 */
export function isPrintableKeyId(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(value) && !value.startsWith(API_KEY_SECRET_PREFIX)
}

/** Whether `value` could be an id or secret Latchkey issued; anything else is refused before a lookup. */
export function isWellFormedCredential(value: string): boolean {
  return credentialPattern.test(value)
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

/** A digest no secret matches, compared against when the id is unknown so that case costs the same work. */
const decoyDigest = digestOf(API_KEY_SECRET_PREFIX + randomBase62(secretLength))

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
