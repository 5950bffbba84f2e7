import { describe, expect, it } from 'vitest'
import { apiKeyState } from './api-key-state.js'

const now = new Date('2030-01-01T00:00:00Z')
const later = new Date('2030-01-02T00:00:00Z')

describe('apiKeyState', () => {
  it('is the status while the key has not expired, or never expires', () => {
    expect(apiKeyState({ status: 'enabled', expiresAt: null }, now)).toBe('enabled')
    expect(apiKeyState({ status: 'disabled', expiresAt: later }, now)).toBe('disabled')
  })

  it('is expired from the instant of expiry on, as verifiers judge it', () => {
    expect(apiKeyState({ status: 'enabled', expiresAt: now }, now)).toBe('expired')
    expect(apiKeyState({ status: 'enabled', expiresAt: now }, new Date(now.getTime() - 1))).toBe('enabled')
    expect(apiKeyState({ status: 'disabled', expiresAt: now }, later)).toBe('expired')
  })

  it('is revoked for a revoked key, expired or not', () => {
    expect(apiKeyState({ status: 'revoked', expiresAt: now }, later)).toBe('revoked')
    expect(apiKeyState({ status: 'revoked', expiresAt: null }, now)).toBe('revoked')
  })

  it('judges at the current time by default', () => {
    expect(apiKeyState({ status: 'enabled', expiresAt: new Date(Date.now() - 1000) })).toBe('expired')
  })
})
