import type { JWK } from 'jose'

/**
 * A private signing key as a store holds it when a key-encryption key is configured: the private JWK
 * encrypted with AES-256-GCM, the signing key's `kid` as associated data, so a sealed key moved to
 * another `kid` does not open.
 */
export interface SealedPrivateKey {
  /** The content encryption, `A256GCM`: how to tell a sealed key from a JWK. */
  readonly sealed: 'A256GCM'
  /** Which key-encryption key sealed it: the first 8 bytes of its SHA-256, base64url. Not secret. */
  readonly kek: string
  /** The 96-bit nonce, base64url. */
  readonly iv: string
  /** The private JWK's JSON, encrypted, with the 128-bit tag appended, base64url. */
  readonly ciphertext: string
}

/** A key that signs access tokens. Every instance reading the same store signs and verifies with the same keys. */
export interface SigningKeyRecord {
  /** The JWK key id, unique in the store. */
  readonly kid: string
  /** The JWS algorithm this key is used with, and the only one tokens under its `kid` may use. */
  readonly alg: 'EdDSA' | 'ES256'
  readonly publicJwk: JWK
  /** The private key: a JWK, or sealed when a key-encryption key is configured. Never leaves the verifier. */
  readonly privateJwk: JWK | SealedPrivateKey
  readonly createdAt: Date
  /** From this instant the key may sign. Published in the JWKS before, so every verifier knows it first. */
  readonly activatesAt: Date
  /** After this instant the key neither signs nor verifies; `null` while it is in use. */
  readonly expiresAt: Date | null
}
