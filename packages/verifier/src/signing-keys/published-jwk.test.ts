import { describe, expect, it } from 'vitest'
import { publishedJwk } from './published-jwk.js'

describe('publishedJwk', () => {
  it('writes the same bytes whatever order the store kept the members in', () => {
    const asExported = { crv: 'Ed25519', x: 'abc', kty: 'OKP' }
    const asJsonb = { x: 'abc', crv: 'Ed25519', kty: 'OKP' }
    const expected = '{"crv":"Ed25519","x":"abc","kty":"OKP","kid":"k1","alg":"EdDSA","use":"sig"}'
    for (const publicJwk of [asExported, asJsonb]) {
      expect(JSON.stringify(publishedJwk({ publicJwk, kid: 'k1', alg: 'EdDSA' }))).toBe(expected)
    }
  })

  it('keeps members it does not know, after the known ones', () => {
    const jwk = publishedJwk({
      publicJwk: { ext: true, kty: 'EC', y: 'Y', crv: 'P-256', x: 'X' },
      kid: 'k',
      alg: 'ES256',
    })
    expect(Object.keys(jwk)).toEqual(['crv', 'x', 'y', 'kty', 'ext', 'kid', 'alg', 'use'])
  })
})
