import { describe, expect, it } from 'vitest'
import { clientSecretBasic, formEncode, httpBasic } from './basic-credentials.js'

const decode = (header: string) => atob(header.replace(/^Basic /, ''))

describe('client credentials encoding (RFC 6749 §2.3.1)', () => {
  it.each([
    ['a:b', 'a%3Ab'],
    ['a+b', 'a%2Bb'],
    ['100%', '100%25'],
    ['a b', 'a+b'],
    ['a-b.c_d*', 'a-b.c_d*'],
    ['é', '%C3%A9'],
    ['lk_AZaz09-_', 'lk_AZaz09-_'],
  ])('form-encodes %j as %j', (raw, encoded) => {
    expect(formEncode(raw)).toBe(encoded)
  })

  it('form-encodes id and secret inside Basic at the token endpoint', () => {
    expect(decode(clientSecretBasic('id:1', 's e+c%'))).toBe('id%3A1:s+e%2Bc%25')
  })

  it('leaves Latchkey’s [A-Za-z0-9_-] ids and secrets unchanged, so strict and lenient servers agree', () => {
    expect(decode(clientSecretBasic('lk_abc-DEF', 'lksecret_xyz'))).toBe('lk_abc-DEF:lksecret_xyz')
  })

  it('sends UTF-8 without form-encoding in API Basic (RFC 7617)', () => {
    expect(decode(httpBasic('lk_1', 'pä ss'))).toBe(String.fromCharCode(...new TextEncoder().encode('lk_1:pä ss')))
  })
})
