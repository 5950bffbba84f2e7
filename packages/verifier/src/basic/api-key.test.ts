import { describe, expect, it } from 'vitest'
import {
  API_KEY_SECRET_PATTERN,
  generateApiKeyId,
  generateApiKeySecret,
  hashSecret,
  isWellFormedCredential,
  verifySecret,
} from './api-key.js'

describe('API keys', () => {
  it('draws ids and secrets from [A-Za-z0-9_-] with recognisable prefixes', () => {
    const id = generateApiKeyId()
    const secret = generateApiKeySecret()
    expect(id).toMatch(/^lk_[A-Za-z0-9]{24}$/)
    expect(secret).toMatch(/^lksecret_[A-Za-z0-9]{43}$/)
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
      for (const char of secret.slice('lksecret_'.length)) counts.set(char, (counts.get(char) ?? 0) + 1)
    }
    // 86,000 draws over 62 characters: about 1,387 each; a biased sampler would skew the first characters.
    expect(counts.size).toBe(62)
    for (const count of counts.values()) expect(count).toBeGreaterThan(1150)
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
