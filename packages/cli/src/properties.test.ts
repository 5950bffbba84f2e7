import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
// The client's parser, read from its source for this test only: the CLI must read apiKey.properties
// exactly as the client does, and may not depend on @latchkey/client.
import { parseApiKeyProperties as clientParseApiKey } from '../../client/src/api-key.js'
import { parseProperties as clientParse } from '../../client/src/properties.js'
import { parseProperties } from './properties.js'
import { readApiKeyPropertiesFile } from './properties-file.js'

const parse = (text: string) => Object.fromEntries(parseProperties(text))

/** The parse, or `'throws'`: the two parsers must agree on both. */
function outcome(parser: (text: string) => Map<string, string>, text: string): Map<string, string> | 'throws' {
  try {
    return parser(text)
  } catch {
    return 'throws'
  }
}

// Each tricky case of the client's own test, with the result Java's Properties.load gives.
const tricky: [string, string, Record<string, string>][] = [
  ['line ends \\n, \\r\\n and a lone \\r', 'a=1\nb=2\r\nc=3\rd=4', { a: '1', b: '2', c: '3', d: '4' }],
  ['# and ! comments, indented, never continued', '# c\n  ! c\n\t#x\\\na=1', { a: '1' }],
  ['=, : and whitespace separators', 'a = 1\nb:2\nc 3\nd\t=\t4\ne\f5', { a: '1', b: '2', c: '3', d: '4', e: '5' }],
  ['only the first separator eaten', 'k ::: v\nj==v', { k: ':: v', j: '=v' }],
  ['only space, tab and form feed as whitespace', 'k\u000Bv\nn\u00A0v', { 'k\u000Bv': '', 'n\u00A0v': '' }],
  ['trailing whitespace kept', 'k = XYZ   ', { k: 'XYZ   ' }],
  ['continuation lines, indent dropped', 'k = a\\\n    b\\\n\tc', { k: 'abc' }],
  ['an even run of backslashes does not continue', 'k = a\\\\\nb = 2', { k: 'a\\', b: '2' }],
  ['continued keys', 'api\\\n  Key.id=ABC', { 'apiKey.id': 'ABC' }],
  ['escapes \\t \\n \\r \\f \\uXXXX \\c', 'a\\:b\\=c = \\t\\n\\r\\f\\u0041\\q\\\\', { 'a:b=c': '\t\n\r\fAq\\' }],
  ['\\u takes exactly four digits', 'k = \\u00000009', { k: '\u00000009' }],
  ['an escaped space in a key', 'a\\ b = c', { 'a b': 'c' }],
  ['bare key, last duplicate, final backslash', 'bare\nk=1\nk=2\nz=end\\', { bare: '', k: '2', z: 'end' }],
  ['a byte-order mark', '\uFEFFapiKey.id = x', { 'apiKey.id': 'x' }],
  [
    'a Stormpath file with + and / in the secret',
    '# Stormpath\napiKey.id = 3XKPZ8QH2M7VJ4N6R1T9Y5W0B\napiKey.secret = k3P+9xQ/vR2mZ8wL5nT1bY7cF4hJ6dS0aG+eU/iO3qE\n',
    { 'apiKey.id': '3XKPZ8QH2M7VJ4N6R1T9Y5W0B', 'apiKey.secret': 'k3P+9xQ/vR2mZ8wL5nT1bY7cF4hJ6dS0aG+eU/iO3qE' },
  ],
]

describe('parseProperties, as the client reads apiKey.properties', () => {
  it.each(tricky)('reads %s as Java does', (_, text, expected) => {
    expect(parse(text)).toEqual(expected)
    expect(Object.fromEntries(clientParse(text))).toEqual(expected)
  })

  it('throws on a malformed \\u escape, naming the line but not its content', () => {
    expect(() => parseProperties('a=1\n\nsecret = s3cr3t\\uZZZZ', 'apiKey.properties')).toThrow(
      /^Line 3 of apiKey\.properties has a malformed \\u escape/,
    )
    expect(() => parseProperties('secret = s3cr3t\\u12')).not.toThrow(/s3cr3t/)
  })

  it('gives the same result as the client on any text', () => {
    const unit = fc.oneof(
      fc.constantFrom('\\', 'u', '0', 'A', '=', ':', ' ', '\t', '\f', '\n', '\r', '#', '!', '\uFEFF', 'k'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    )
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 120 }), (text) => {
        expect(outcome(parseProperties, text)).toEqual(outcome(clientParse, text))
      }),
      { numRuns: 2000 },
    )
  })
})

describe('readApiKeyPropertiesFile', () => {
  const root = mkdtempSync(join(tmpdir(), 'latchkey-properties-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('reads apiKey.id and apiKey.secret, trimmed, as the client does', () => {
    const text = 'apiKey.id = K\\u0031  \r\napiKey.secret : s\\\n   e+c/r=t \t\n'
    const file = join(root, 'apiKey.properties')
    writeFileSync(file, text)
    const key = clientParseApiKey(text)
    expect(readApiKeyPropertiesFile(file)).toEqual({ id: key?.id, secret: key?.secret })
    expect(readApiKeyPropertiesFile(file)).toEqual({ id: 'K1', secret: 'se+c/r=t' })
  })

  it('names the file and the missing property, never the secret', () => {
    const file = join(root, 'half.properties')
    writeFileSync(file, 'apiKey.secret = hidden-secret-value\n')
    expect(() => readApiKeyPropertiesFile(file)).toThrow(`"${file}" has no apiKey.id`)
    expect(() => readApiKeyPropertiesFile(file)).not.toThrow(/hidden-secret-value/)
    writeFileSync(file, '')
    expect(() => readApiKeyPropertiesFile(file)).toThrow(/has no apiKey\.id/)
  })

  it('says why a file cannot be read', () => {
    expect(() => readApiKeyPropertiesFile(join(root, 'missing'))).toThrow(/it does not exist \(ENOENT\)/)
    expect(() => readApiKeyPropertiesFile(root)).toThrow(/it is a directory \(EISDIR\)/)
  })
})
