import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import type { SigningKeyRecord } from '../store/key-store.js'

/** Generates a signing key pair for `alg`, created at `createdAt` and signing from `activatesAt`. */
export async function generateSigningKey(
  alg: SigningKeyRecord['alg'],
  createdAt: Date,
  activatesAt: Date = createdAt,
): Promise<SigningKeyRecord> {
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  const publicJwk = await exportJWK(pair.publicKey)
  const privateJwk = await exportJWK(pair.privateKey)
  // RFC 7638 thumbprints make kids unique and derivable from the key itself.
  const kid = await calculateJwkThumbprint(publicJwk)
  return { kid, alg, publicJwk, privateJwk, createdAt, activatesAt, expiresAt: null }
}
