import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  API_KEY_SECRET_PATTERN,
  generateApiKeyId,
  generateApiKeySecret,
  hashSecret,
  isImportableKeyId,
  isIssuedSecretShape,
  isSecretHash,
  isWellFormedCredential,
  verifySecret,
} from './api-key.js'
import { secretChecksum } from './secret-checksum.js'

describe('API keys', () => {
  it('draws ids and secrets from [A-Za-z0-9_-] with recognisable prefixes', () => {
    const id = generateApiKeyId()
    const secret = generateApiKeySecret()
    expect(id).toMatch(/^lk_[A-Za-z0-9]{24}$/)
    expect(secret).toMatch(/^lksecret_[A-Za-z0-9]{49}$/)
    expect(API_KEY_SECRET_PATTERN.test(`leaked: ${secret} in a log`)).toBe(true)
    expect(isWellFormedCredential(id) && isWellFormedCredential(secret)).toBe(true)
  })

  it('gives secrets at least 128 bits of entropy', () => {
    // 43 characters drawn uniformly from 62: log2(62) × 43 ≈ 256 bits.
    expect(Math.log2(62) * 43).toBeGreaterThan(128)
    const secrets = new Set(Array.from({ length: 2000 }, generateApiKeySecret))
    expect(secrets.size).toBe(2000)
    const counts = new Map<string, number>()
    for (const secret of secrets) {
      for (const char of secret.slice('lksecret_'.length, -6)) counts.set(char, (counts.get(char) ?? 0) + 1)
    }
    // 86,000 draws over 62 characters: about 1,387 each; a biased sampler would skew the first characters.
    expect(counts.size).toBe(62)
    for (const count of counts.values()) expect(count).toBeGreaterThan(1150)
  })

  it('ends every new secret in a checksum of the rest, so typos and truncations are told apart', () => {
    const secret = generateApiKeySecret()
    expect(secret.slice(-6)).toBe(secretChecksum(secret.slice(0, -6)))
    expect(isIssuedSecretShape(secret)).toBe(true)
    // One character changed anywhere, or one dropped: the shape check refuses it.
    const last = secret.at(-1) === 'a' ? 'b' : 'a'
    expect(isIssuedSecretShape(secret.slice(0, -1) + last)).toBe(false)
    const middle = secret.charAt(20) === 'a' ? 'b' : 'a'
    expect(isIssuedSecretShape(secret.slice(0, 20) + middle + secret.slice(21))).toBe(false)
    expect(isIssuedSecretShape(secret.slice(0, -1))).toBe(false)
    expect(isIssuedSecretShape(`${secret}x`)).toBe(false)
    expect(isIssuedSecretShape('lksecret_short')).toBe(false)
    expect(isIssuedSecretShape(`lksecret_${'a'.repeat(40)}-+/_`)).toBe(false)
  })

  it('computes the checksum as documented: SHA-256, first 32 bits, base62, 6 digits', () => {
    // Computed here another way, as a secret scanner would from docs/security.md's description.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    for (const body of [`lksecret_${'A'.repeat(43)}`, '', generateApiKeySecret().slice(0, -6)]) {
      let value = createHash('sha256').update(body).digest().readUInt32BE(0)
      let expected = ''
      for (let digit = 0; digit < 6; digit++) {
        expected = alphabet[value % 62] + expected
        value = Math.floor(value / 62)
      }
      expect(secretChecksum(body)).toBe(expected)
    }
  })

  it('still accepts secrets issued before checksums, and any secret without the prefix', () => {
    expect(isIssuedSecretShape(`lksecret_${'x'.repeat(43)}`)).toBe(true)
    expect(API_KEY_SECRET_PATTERN.test(`lksecret_${'x'.repeat(43)}`)).toBe(true)
    // A Stormpath secret: 43 characters of base64.
    expect(isIssuedSecretShape('k/3Jh+DOL7qBM7X2fE9dyhJ+2eaZ7GH6B0ZQx0W4Gl8')).toBe(true)
    expect(API_KEY_SECRET_PATTERN.test('k/3Jh+DOL7qBM7X2fE9dyhJ+2eaZ7GH6B0ZQx0W4Gl8')).toBe(false)
  })

  it('takes printable ASCII up to 256 characters as presented credentials; ids for import have no colon', () => {
    expect(isWellFormedCredential('k/3Jh+DOL7qBM7X2fE9dyhJ+2eaZ7GH6B0ZQx0W4Gl8')).toBe(true)
    expect(isWellFormedCredential('with space ~!')).toBe(true)
    expect(isWellFormedCredential('x'.repeat(256))).toBe(true)
    expect(isWellFormedCredential('x'.repeat(257))).toBe(false)
    expect(isWellFormedCredential('')).toBe(false)
    expect(isWellFormedCredential('tab\there')).toBe(false)
    expect(isWellFormedCredential('é')).toBe(false)
    expect(isImportableKeyId('1ABCDEFGHIJKLMNOPQRSTUVWX')).toBe(true)
    expect(isImportableKeyId('with:colon')).toBe(false)
    expect(isImportableKeyId(' padded')).toBe(false)
    expect(isSecretHash(hashSecret('x'))).toBe(true)
    expect(isSecretHash('sha256:short')).toBe(false)
  })

  it('stores a SHA-256 hash, never the secret', () => {
    const secret = generateApiKeySecret()
    const hash = hashSecret(secret)
    expect(hash).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/)
    expect(hash).not.toContain(secret.slice(9))
  })

  it('verifies the right secret and nothing else', () => {
    const secret = generateApiKeySecret()
    const hash = hashSecret(secret)
    expect(verifySecret(secret, hash)).toBe(true)
    expect(verifySecret(`${secret}x`, hash)).toBe(false)
    expect(verifySecret(secret.slice(0, -1), hash)).toBe(false)
    expect(verifySecret(secret, undefined)).toBe(false)
  })
})
