import { describe, expect, it } from 'vitest'
import type { AccessTokenClaims } from './access-token-claims.js'
import { VerifiedTokenCache } from './verified-token-cache.js'

function verified(exp: number) {
  const claims: AccessTokenClaims = {
    iss: 'https://issuer.test',
    sub: 'lk_x',
    aud: 'https://issuer.test',
    client_id: 'lk_x',
    iat: exp - 3600,
    exp,
    jti: `j${exp}`,
  }
  return { claims, kid: 'k1' }
}

/** `token` verified twice, as a reused token is: remembered from then on. */
function remember(cache: VerifiedTokenCache, token: string, as: ReturnType<typeof verified>): void {
  cache.set(token, as)
  cache.set(token, as)
}

describe('VerifiedTokenCache', () => {
  it('remembers a token at its second verification, not its first', () => {
    const cache = new VerifiedTokenCache(10)
    const token = 'header.payload.abcdefghijklmnopqrstuvwxyz'
    cache.set(token, verified(2000))
    expect(cache.get(token, 1000, 5)).toBeUndefined()
    cache.set(token, verified(2000))
    expect(cache.get(token, 1000, 5)?.kid).toBe('k1')
  })

  it('forgets tokens seen once when it has noted as many as its capacity', () => {
    const cache = new VerifiedTokenCache(2)
    cache.set('h.p.first', verified(2000))
    cache.set('h.p.second', verified(2000))
    // Full: noting a third forgets the first two, whose next verification counts as their first again.
    cache.set('h.p.third', verified(2000))
    cache.set('h.p.first', verified(2000))
    expect(cache.get('h.p.first', 1000, 5)).toBeUndefined()
    cache.set('h.p.third', verified(2000))
    expect(cache.get('h.p.third', 1000, 5)?.kid).toBe('k1')
  })

  it('holds at most its capacity, dropping the least recently used entry first', () => {
    const cache = new VerifiedTokenCache(3)
    for (const token of ['a', 'b', 'c']) remember(cache, token, verified(2000))
    // 'a' is in use: the token sent least recently, 'b', goes first.
    expect(cache.get('a', 1000, 5)).toBeDefined()
    remember(cache, 'd', verified(2000))
    expect(cache.get('b', 1000, 5)).toBeUndefined()
    expect(['a', 'c', 'd'].map((token) => cache.get(token, 1000, 5)?.kid)).toEqual(['k1', 'k1', 'k1'])
  })

  it('forgets a token once expired beyond the tolerance, and only then', () => {
    const cache = new VerifiedTokenCache(10)
    remember(cache, 't', verified(2000))
    expect(cache.get('t', 2004.9, 5)).toBeDefined()
    expect(cache.get('t', 2005, 5)).toBeUndefined()
    // Forgotten for good: going back in time does not bring it back.
    expect(cache.get('t', 1000, 5)).toBeUndefined()
  })

  it('keeps nothing with a capacity of 0', () => {
    const cache = new VerifiedTokenCache(0)
    remember(cache, 't', verified(2000))
    expect(cache.get('t', 1000, 5)).toBeUndefined()
  })

  it('matches the exact token string only', () => {
    const cache = new VerifiedTokenCache(10)
    remember(cache, 'header.payload.signature', verified(2000))
    expect(cache.get('header.payload.signaturE', 1000, 5)).toBeUndefined()
    expect(cache.get('header.payload.signature ', 1000, 5)).toBeUndefined()
  })
})

describe('VerifiedTokenCache, keyed by signature', () => {
  it('never answers for another token with the same signature', () => {
    const cache = new VerifiedTokenCache(10)
    remember(cache, 'header.payload.signature', verified(2000))
    expect(cache.get('header.payloaD.signature', 1000, 5)).toBeUndefined()
    expect(cache.get('headeR.payload.signature', 1000, 5)).toBeUndefined()
    expect(cache.get('.signature', 1000, 5)).toBeUndefined()
    expect(cache.get('header.payload.signature', 1000, 5)?.kid).toBe('k1')
  })

  it('keeps the last token set under a signature, and counts it once against the capacity', () => {
    const cache = new VerifiedTokenCache(2)
    remember(cache, 'a.b.s', verified(2000))
    remember(cache, 'a.c.s', verified(2000))
    remember(cache, 'a.b.t', verified(2000))
    expect(cache.get('a.b.s', 1000, 5)).toBeUndefined()
    expect(cache.get('a.c.s', 1000, 5)?.kid).toBe('k1')
    expect(cache.get('a.b.t', 1000, 5)?.kid).toBe('k1')
  })
})
