import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../test/fuzz-runs.js'
import { isLatchkeyError } from '../errors.js'
import { parseAuthorization } from './authorization-header.js'

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`
const basicBytes = (bytes: number[]) => `Basic ${Buffer.from(bytes).toString('base64')}`
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 7617 forbids exactly these.
const controls = /[\u0000-\u001F\u007F-\u009F]/

function refusal(value: string): string | undefined {
  try {
    parseAuthorization(value)
    return undefined
  } catch (error) {
    return isLatchkeyError(error) ? error.code : 'unexpected'
  }
}

describe('parseAuthorization', () => {
  it('splits Basic credentials at the first colon, so secrets may contain colons', () => {
    expect(parseAuthorization(basic('id:se:cr:et'))).toEqual({ scheme: 'basic', userId: 'id', password: 'se:cr:et' })
  })

  it('accepts an empty password and UTF-8 text', () => {
    expect(parseAuthorization(basic('ключ:'))).toEqual({ scheme: 'basic', userId: 'ключ', password: '' })
  })

  it('treats the scheme case-insensitively', () => {
    for (const scheme of ['basic', 'BASIC', 'bAsIc']) {
      expect(parseAuthorization(`${scheme} ${btoa('a:b')}`)).toMatchObject({ scheme: 'basic', userId: 'a' })
    }
    expect(parseAuthorization('bEaReR abc.def-ghi_~+/==')).toEqual({ scheme: 'bearer', token: 'abc.def-ghi_~+/==' })
  })

  it('refuses base64 that is not canonical or not base64 at all', () => {
    expect(btoa(atob('YR=='))).not.toBe('YR==')
    for (const encoded of ['YR==', 'YWI6Yw', 'YWI6Y===', 'YW I6Yw==', 'YWI6Yw==!', '', 'YWI6Yw-_']) {
      expect(refusal(`Basic ${encoded}`), encoded).toBe('ERR_INVALID_REQUEST')
    }
  })

  it('accepts exactly the canonical character before the padding, of all 64', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    // "ab:c" is YWI6Yw==, "ab:cd" YWI6Y2Q=: one character carries 4, the other 2, unused bits.
    for (const [head, padding] of [
      ['YWI6Y', '=='],
      ['YWI6Y2', '='],
    ] as const) {
      let accepted = 0
      for (const char of alphabet) {
        const encoded = `${head}${char}${padding}`
        const canonical = btoa(atob(encoded)) === encoded
        expect(refusal(`Basic ${encoded}`) === undefined, encoded).toBe(canonical)
        if (canonical) accepted++
      }
      expect(accepted).toBe(padding === '==' ? 4 : 16)
    }
  })

  it('refuses invalid UTF-8, a missing colon and control characters', () => {
    expect(refusal(basicBytes([0xc3, 0x28, 0x3a, 0x61]))).toBe('ERR_INVALID_REQUEST')
    expect(refusal(basicBytes([0xed, 0xa0, 0x80, 0x3a, 0x61]))).toBe('ERR_INVALID_REQUEST')
    expect(refusal(basic('no-colon'))).toBe('ERR_INVALID_REQUEST')
    for (const text of ['a\u0000:b', 'a:b\u0001', 'a:b\u007f', 'a\u0085:b', 'a:b\r\n']) {
      expect(refusal(basic(text)), JSON.stringify(text)).toBe('ERR_INVALID_REQUEST')
    }
  })

  it('keeps a leading byte-order mark, so it cannot disguise an id', () => {
    expect(parseAuthorization(basic('\uFEFFid:secret'))).toMatchObject({ userId: '\uFEFFid' })
  })

  it('refuses malformed Bearer tokens and bare schemes', () => {
    for (const value of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a,b', 'Bearer =abc', 'Basic', 'Bearer tok"en']) {
      expect(refusal(value), value).toBe('ERR_INVALID_REQUEST')
    }
  })

  it('returns other schemes as unknown rather than refusing them', () => {
    expect(parseAuthorization('Digest username="a"')).toEqual({ scheme: 'other' })
  })

  it('refuses values longer than the limit before decoding them', () => {
    expect(refusal(`Bearer ${'a'.repeat(9000)}`)).toBe('ERR_INVALID_REQUEST')
  })

  it('never throws anything but a LatchkeyError, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (value) => {
        expect(refusal(value)).not.toBe('unexpected')
      }),
      { numRuns: fuzzRuns(2000) },
    )
  })

  it('never throws unexpectedly on Basic payloads of arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(refusal(basicBytes([...bytes]))).not.toBe('unexpected')
      }),
      { numRuns: fuzzRuns(2000) },
    )
  })

  it('round-trips every id and secret without controls, the id without colons', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !controls.test(s))
    fc.assert(
      fc.property(
        text.filter((s) => !s.includes(':')),
        text,
        (userId, password) => {
          expect(parseAuthorization(basic(`${userId}:${password}`))).toEqual({ scheme: 'basic', userId, password })
        },
      ),
      { numRuns: fuzzRuns(1000) },
    )
  })

  it('accepts a Basic payload only if it is the canonical base64 of valid, control-free UTF-8 with a colon', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (payload) => {
        const value = `Basic ${payload}`
        let accepted = false
        try {
          accepted = parseAuthorization(value).scheme === 'basic'
        } catch {}
        if (!accepted) return
        const bytes = Buffer.from(payload, 'base64')
        expect(bytes.toString('base64')).toBe(payload)
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
        expect(text).toContain(':')
        expect(text).not.toMatch(controls)
      }),
      { numRuns: fuzzRuns(3000) },
    )
  })
})
