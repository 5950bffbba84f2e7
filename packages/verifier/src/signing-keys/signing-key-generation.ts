import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import type { SigningKeyRecord } from '../store/key-store.js'
import type { KeyEncryptionKey } from './key-encryption.js'

/**
 * Generates a signing key pair for `alg`, created at `createdAt` and signing from `activatesAt`; its
 * private half sealed with `kek` when one is given.
 */
export async function generateSigningKey(
  alg: SigningKeyRecord['alg'],
  createdAt: Date,
  activatesAt: Date = createdAt,
  kek?: KeyEncryptionKey,
): Promise<SigningKeyRecord> {
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  const publicJwk = await exportJWK(pair.publicKey)
  const privateJwk = await exportJWK(pair.privateKey)
  // RFC 7638 thumbprints make kids unique and derivable from the key itself.
  const kid = await calculateJwkThumbprint(publicJwk)
  const privateKey = kek ? await kek.seal(kid, privateJwk) : privateJwk
  return { kid, alg, publicJwk, privateJwk: privateKey, createdAt, activatesAt, expiresAt: null }
}
