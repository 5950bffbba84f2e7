import { sha256 } from '@noble/hashes/sha2.js'

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const encoder = new TextEncoder()

/** Characters of the checksum that ends every secret Latchkey issues: 62^6 > 2^32. */
export const SECRET_CHECKSUM_LENGTH = 6

/**
 * The checksum of a secret's body (its prefix and random part): the first 32 bits of its SHA-256,
 * big-endian, in base62, most significant digit first, padded with `A` (zero) to 6 characters. It
 * guards against typing and truncation, not against forgery: anyone can compute it.
 */
export function secretChecksum(body: string): string {
  const digest = sha256(encoder.encode(body))
  let value = ((digest[0] ?? 0) * 2 ** 24 + ((digest[1] ?? 0) << 16) + ((digest[2] ?? 0) << 8) + (digest[3] ?? 0)) >>> 0
  let out = ''
  for (let index = 0; index < SECRET_CHECKSUM_LENGTH; index++) {
    out = alphabet.charAt(value % 62) + out
    value = Math.floor(value / 62)
  }
  return out
}

/** Whether `secret` ends in the checksum of what comes before it. */
export function hasValidChecksum(secret: string): boolean {
  const split = secret.length - SECRET_CHECKSUM_LENGTH
  return split > 0 && secretChecksum(secret.slice(0, split)) === secret.slice(split)
}
