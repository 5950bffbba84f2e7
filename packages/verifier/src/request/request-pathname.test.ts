import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../test/fuzz-runs.js'
import { requestPathname } from './request-pathname.js'

const parsed = (url: string) => new URL(url, 'http://localhost').pathname
/**
 * What the parser reads of `url`; where it throws (`//`, a host with a space), `undefined`: then
 * `requestPathname` must not throw, nor name one of the verifier's paths.
 */
const expected = (url: string) => {
  try {
    return parsed(url)
  } catch {
    return undefined
  }
}

const defaultPaths = [
  '/oauth/token',
  '/oauth/revoke',
  '/.well-known/jwks.json',
  '/.well-known/oauth-authorization-server',
]

const check = (url: string) => {
  const wanted = expected(url)
  const read = requestPathname(url)
  if (wanted === undefined) expect(defaultPaths).not.toContain(read)
  else expect(read).toBe(wanted)
}

describe('requestPathname', () => {
  it('reads every target as the URL parser does', () => {
    const part = fc.constantFrom(
      '.well-known',
      'jwks.json',
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
          absolute,
          fc.string({ unit: 'binary' }).map((s) => `/${s}`),
        ),
        (url) => {
          check(url)
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
      check(url)
    }
  })
})
