import { base64url, type JWK } from 'jose'
import { LatchkeyError } from '../errors.js'
import type { SealedPrivateKey } from '../store/key-store.js'

/** Whether a stored private key is sealed rather than a plain JWK. */
export function isSealed(privateKey: JWK | SealedPrivateKey): privateKey is SealedPrivateKey {
  return (privateKey as { sealed?: unknown }).sealed === 'A256GCM'
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * The key that encrypts private signing keys at rest: 256 random bits (`openssl rand -base64 32`).
 * Web Crypto only, so it runs wherever the verifier does.
 */
export class KeyEncryptionKey {
  readonly #key: Promise<CryptoKey>
  readonly #fingerprint: Promise<string>

  /** `bytes` must be exactly 32 bytes; anything else is a `TypeError` (a shorter key is a weaker one). */
  constructor(bytes: Uint8Array) {
    if (bytes.byteLength !== 32) {
      throw new TypeError(`A key-encryption key is 32 bytes (256 bits), not ${bytes.byteLength}.`)
    }
    const copy = new Uint8Array(bytes)
    this.#key = crypto.subtle.importKey('raw', copy, 'AES-GCM', false, ['encrypt', 'decrypt'])
    this.#fingerprint = crypto.subtle
      .digest('SHA-256', copy)
      .then((digest) => base64url.encode(new Uint8Array(digest).slice(0, 8)))
  }

  /** `privateJwk`, sealed for the signing key `kid`. */
  async seal(kid: string, privateJwk: JWK): Promise<SealedPrivateKey> {
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const plaintext = encoder.encode(JSON.stringify(privateJwk))
    const encrypted = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(kid) },
      await this.#key,
      plaintext,
    )
    return {
      sealed: 'A256GCM',
      kek: await this.#fingerprint,
      iv: base64url.encode(iv),
      ciphertext: base64url.encode(new Uint8Array(encrypted)),
    }
  }

  /**
   * The private JWK `sealed` holds for the signing key `kid`. Throws `ERR_KEY_ENCRYPTION` when it was
   * sealed with another key-encryption key, for another `kid`, or altered.
   */
  async open(kid: string, sealed: SealedPrivateKey): Promise<JWK> {
    if (sealed.kek !== (await this.#fingerprint)) {
      throw keyEncryptionError(
        `Signing key ${kid} is sealed with another key-encryption key (${sealed.kek}); configure that one.`,
      )
    }
    try {
      const plaintext = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: new Uint8Array(base64url.decode(sealed.iv)), additionalData: encoder.encode(kid) },
        await this.#key,
        new Uint8Array(base64url.decode(sealed.ciphertext)),
      )
      return JSON.parse(decoder.decode(plaintext)) as JWK
    } catch {
      throw keyEncryptionError(`Signing key ${kid} does not open with the key-encryption key: it was altered.`)
    }
  }
}

/**
 * The private JWK of a stored signing key: as it is, or opened with `kek`. Throws `ERR_KEY_ENCRYPTION`
 * for a sealed key without a key-encryption key, or one that does not open with it.
 */
export async function openPrivateKey(
  kid: string,
  privateKey: JWK | SealedPrivateKey,
  kek: KeyEncryptionKey | undefined,
): Promise<JWK> {
  if (!isSealed(privateKey)) return privateKey
  if (!kek) {
    throw keyEncryptionError(
      `Signing key ${kid} is encrypted, and no key-encryption key is configured (LATCHKEY_KEY_ENCRYPTION_KEY).`,
    )
  }
  return kek.open(kid, privateKey)
}

function keyEncryptionError(message: string): LatchkeyError {
  return new LatchkeyError('ERR_KEY_ENCRYPTION', message)
}
