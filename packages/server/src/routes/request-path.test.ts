import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizeRequestPath } from './request-path.js'

const path = (target: string) => {
  const result = normalizeRequestPath(target)
  return result.ok ? result.path : `refused: ${result.reason}`
}

describe('normalizeRequestPath', () => {
  it.each([
    ['/api/test', '/api/test'],
    ['/api/test?x=1#f', '/api/test'],
    ['/', '/'],
    ['/public/', '/public/'],
    ['//admin', '/admin'],
    ['/api///v1//keys', '/api/v1/keys'],
    ['/public/../admin', '/admin'],
    ['/api/%2e%2e/admin', '/admin'],
    ['/api/.%2E/admin', '/admin'],
    ['/api/%2E/admin', '/api/admin'],
    ['/public/..', '/'],
    ['/public/.', '/public/'],
    ['/a/b/../c/./d', '/a/c/d'],
    ['/%7Euser/%61pi', '/~user/api'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/a%20b', '/a%20b'],
    ['/a%3Bb/%40', '/a%3Bb/%40'],
    ['/a;b=c/@:!$', '/a;b=c/@:!$'],
    ['/say"hi"', '/say%22hi%22'],
    ['/caf\u00c3\u00a9', '/caf%C3%A9'],
    ['/API/Test', '/API/Test'],
  ])('reads %s as %s', (target, expected) => {
    expect(path(target)).toBe(expected)
  })

  it.each([
    ['', 'not_origin_form'],
    ['api/test', 'not_origin_form'],
    ['http://evil/admin', 'not_origin_form'],
    ['*', 'not_origin_form'],
    ['/api%2Fadmin', 'encoded_separator'],
    ['/api%2fadmin', 'encoded_separator'],
    ['/api%5Cadmin', 'encoded_separator'],
    ['/api\\admin', 'backslash'],
    ['/api%00', 'control_character'],
    ['/api%0a', 'control_character'],
    ['/api%7F', 'control_character'],
    ['/api\u0000', 'control_character'],
    ['/a b', 'control_character'],
    ['/api/%zz', 'invalid_percent_encoding'],
    ['/api/%4', 'invalid_percent_encoding'],
    ['/api/%', 'invalid_percent_encoding'],
    ['/..', 'above_root'],
    ['/public/../../admin', 'above_root'],
    ['/%2e%2e/admin', 'above_root'],
    ['/public/..;/admin', 'dot_segment_parameter'],
    ['/public/.;x/admin', 'dot_segment_parameter'],
    ['/caf\u00e9\u20ac', 'not_a_byte'],
  ])('refuses %j as %s', (target, reason) => {
    expect(normalizeRequestPath(target)).toEqual({ ok: false, reason })
  })

  it('is idempotent, and its paths hold no empty, dot or encoded-unreserved segment', () => {
    const alphabet = fc.constantFrom(
      '/',
      '.',
      '..',
      '%2e',
      '%2E',
      'a',
      'B',
      '%41',
      '%c3%a9',
      '%20',
      ';',
      '~',
      '"',
      '//',
    )
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 12 }), (parts) => {
        const result = normalizeRequestPath(`/${parts.join('')}`)
        if (!result.ok) return
        expect(normalizeRequestPath(result.path)).toEqual(result)
        expect(result.path).not.toMatch(
          /\/\/|\/\.\.?(\/|$)|%([a-f][0-9a-fA-F]|[0-9A-F][a-f])|%(4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A]|2D|2E|5F|7E)/,
        )
        expect(result.path.startsWith('/')).toBe(true)
      }),
    )
  })
})
