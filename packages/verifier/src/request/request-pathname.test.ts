import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../test/fuzz-runs.js'
import { requestPathname } from './request-pathname.js'

const parsed = (url: string) => new URL(url, 'http://localhost').pathname
/** What the parser reads of `url`; where it throws (`//`, a target without a host), the target's path as written. */
const expected = (url: string) => {
  try {
    return parsed(url)
  } catch {
    return url.split(/[?#]/)[0]
  }
}

describe('requestPathname', () => {
  it('reads every target as the URL parser does', () => {
    const part = fc.constantFrom(
      '/',
      'oauth',
      'token',
      '.',
      '..',
      '%2F',
      '%2e',
      '\\',
      '?',
      '#',
      'a=b',
      ' ',
      '\t',
      'é',
      '//',
      '@',
      ':',
      '{',
      '"',
      '~',
    )
    const target = fc.array(part, { maxLength: 8 }).map((parts) => `/${parts.join('')}`)
    const authority = fc.constantFrom('host', 'host:8080', 'u@host', 'host\\x', 'host?q', 'host#f', '', 'h o', 'HOST')
    const absolute = fc
      .tuple(fc.constantFrom('http://', 'https://', 'HTTP://', 'ftp://'), authority, target)
      .map(([scheme, host, path]) => `${scheme}${host}${path}`)
    fc.assert(
      fc.property(
        fc.oneof(
          target,
          fc.string({ unit: 'binary' }).map((s) => `/${s}`),
        ),
        (url) => {
          expect(requestPathname(url)).toBe(expected(url))
        },
      ),
      { numRuns: fuzzRuns(2000) },
    )
  })

  it('answers plain targets without parsing, and the others as parsed', () => {
    for (const url of [
      '/oauth/token',
      '/oauth/token?x=1#y',
      '/hello#frag?q',
      '/a/./b',
      '/a/../oauth/token',
      '//host/x',
      '/%6Fauth',
      'http://h/x?y',
    ]) {
      expect(requestPathname(url)).toBe(expected(url))
    }
  })
})
