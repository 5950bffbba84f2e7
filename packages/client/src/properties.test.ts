import { describe, expect, it } from 'vitest'
import { parseApiKeyProperties } from './api-key.js'
import { isLatchkeyClientError } from './errors.js'
import { parseProperties } from './properties.js'

const parse = (text: string) => Object.fromEntries(parseProperties(text))

describe('parseProperties, with Java .properties semantics', () => {
  it('ends lines at \\n, \\r\\n and a lone \\r', () => {
    expect(parse('a=1\nb=2\r\nc=3\rd=4')).toEqual({ a: '1', b: '2', c: '3', d: '4' })
  })

  it('skips # and ! comments, indented too, and never continues them', () => {
    expect(parse('# c\n  ! c\n\t#x\\\na=1')).toEqual({ a: '1' })
  })

  it('splits on =, : or whitespace, skipping the spaces around them', () => {
    expect(parse('a = 1\nb:2\nc 3\nd\t=\t4\ne\f5')).toEqual({ a: '1', b: '2', c: '3', d: '4', e: '5' })
  })

  it('eats only the first separator', () => {
    expect(parse('k ::: v')).toEqual({ k: ':: v' })
    expect(parse('k==v')).toEqual({ k: '=v' })
  })

  it('treats only space, tab and form feed as whitespace', () => {
    expect(parse('k\u000Bv')).toEqual({ 'k\u000Bv': '' })
    expect(parse('k\u00A0v')).toEqual({ 'k\u00A0v': '' })
  })

  it('keeps trailing whitespace in a value', () => {
    expect(parse('k = XYZ   ')).toEqual({ k: 'XYZ   ' })
  })

  it('continues a line ending in an odd number of backslashes, dropping the next line’s indent', () => {
    expect(parse('k = a\\\n    b\\\n\tc')).toEqual({ k: 'abc' })
    expect(parse('k = a\\\\\nb = 2')).toEqual({ k: 'a\\', b: '2' })
  })

  it('continues keys too', () => {
    expect(parse('api\\\n  Key.id=ABC')).toEqual({ 'apiKey.id': 'ABC' })
  })

  it('decodes escapes: \\t \\n \\r \\f, \\uXXXX and \\c for any other c', () => {
    expect(parse('a\\:b\\=c = \\t\\n\\r\\f\\u0041\\q\\\\')).toEqual({ 'a:b=c': '\t\n\r\fAq\\' })
    expect(parse('k = \\u00000009')).toEqual({ k: '\u00000009' })
    expect(parse('a\\ b = c')).toEqual({ 'a b': 'c' })
  })

  it('throws on a malformed \\u escape, naming the line but not its content', () => {
    let error: unknown
    try {
      parseProperties('a=1\n\nsecret = s3cr3t\\uZZZZ', 'apiKey.properties')
    } catch (e) {
      error = e
    }
    expect(isLatchkeyClientError(error) && error.code).toBe('ERR_PROPERTIES_SYNTAX')
    expect((error as Error).message).toMatch(/^Line 3 of apiKey\.properties/)
    expect((error as Error).message).not.toContain('s3cr3t')
  })

  it('gives a bare key the empty value, lets the last duplicate win and drops a backslash at the end', () => {
    expect(parse('bare\nk=1\nk=2\nz=end\\')).toEqual({ bare: '', k: '2', z: 'end' })
  })

  it('strips a leading byte-order mark', () => {
    expect(parse('\uFEFFapiKey.id = x')).toEqual({ 'apiKey.id': 'x' })
  })
})

describe('parseApiKeyProperties', () => {
  it('reads the two keys the CLI writes, trimmed', () => {
    const key = parseApiKeyProperties('apiKey.id = lk_1  \napiKey.secret = lksecret_2\t\n')
    expect({ id: key?.id, secret: key?.secret }).toEqual({ id: 'lk_1', secret: 'lksecret_2' })
  })

  it('ignores a text without properties', () => {
    expect(parseApiKeyProperties('\n# nothing here\n')).toBeUndefined()
  })

  it('names the file and the missing key, never the secret', () => {
    expect(() => parseApiKeyProperties('apiKey.secret = lksecret_hidden', '/keys/apiKey.properties')).toThrow(
      /^\/keys\/apiKey\.properties has no apiKey\.id/,
    )
    expect(() => parseApiKeyProperties('apiKey.id = lk_1\napiKey.secret =  ', 'f')).toThrow(/f has no apiKey\.secret/)
  })
})
