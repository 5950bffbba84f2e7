import { describe, expect, it } from 'vitest'
import { RefusedTokenCache } from './refused-token-cache.js'

describe('RefusedTokenCache', () => {
  it('holds at most its capacity, dropping the least recently used entry first', () => {
    const cache = new RefusedTokenCache(3)
    for (const token of ['a', 'b', 'c']) cache.add(token, 'token_invalid')
    // 'a' is replayed: the forgery seen least recently, 'b', goes first.
    expect(cache.get('a')).toBe('token_invalid')
    cache.add('d', 'token_invalid')
    expect(cache.get('b')).toBeUndefined()
    expect(['a', 'c', 'd'].map((token) => cache.get(token))).toEqual([
      'token_invalid',
      'token_invalid',
      'token_invalid',
    ])
  })

  it('keeps the first reason of a token and nothing with a capacity of 0', () => {
    const cache = new RefusedTokenCache(2)
    cache.add('t', 'token_expired')
    cache.add('t', 'token_invalid')
    expect(cache.get('t')).toBe('token_expired')
    const off = new RefusedTokenCache(0)
    off.add('t', 'token_invalid')
    expect(off.get('t')).toBeUndefined()
  })

  it('matches the exact token string only', () => {
    const cache = new RefusedTokenCache(10)
    cache.add('header.payload.signature', 'token_invalid')
    expect(cache.get('header.payload.signaturE')).toBeUndefined()
    expect(cache.get('header.payload.signature ')).toBeUndefined()
  })
})
