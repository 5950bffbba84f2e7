import { describe, expect, it } from 'vitest'
import { parseExpiresIn, parseTokenEndpointResponse } from './token-endpoint-response.js'

const limits = { defaultExpiresIn: 60, maxExpiresIn: 86_400 }

describe('token endpoint responses', () => {
  it('accepts positive numbers and digit strings as expires_in, nothing else', () => {
    expect(parseExpiresIn(3600)).toBe(3600)
    expect(parseExpiresIn(' 3600 ')).toBe(3600)
    for (const value of [0, -1, Number.NaN, JSON.parse('1e309'), '1e3', '-5', '0x10', '', null, true, {}]) {
      expect(parseExpiresIn(value)).toBeUndefined()
    }
  })

  it('defaults a missing lifetime and clamps a huge one', () => {
    const base = { access_token: 't', token_type: 'Bearer' }
    expect(parseTokenEndpointResponse(base, limits)).toMatchObject({ expiresIn: 60, expiresInDefaulted: true })
    expect(parseTokenEndpointResponse({ ...base, expires_in: 10 ** 12 }, limits).expiresIn).toBe(86_400)
  })

  it('keeps the granted scope, or undefined so the requested one applies', () => {
    const base = { access_token: 't', token_type: 'bearer', expires_in: 60 }
    expect(parseTokenEndpointResponse({ ...base, scope: 'read' }, limits).scope).toBe('read')
    expect(parseTokenEndpointResponse(base, limits).scope).toBeUndefined()
  })
})
