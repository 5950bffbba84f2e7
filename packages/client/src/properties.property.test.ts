import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fuzzRuns } from '../test/fuzz-runs.js'
import { parseApiKeyProperties } from './api-key.js'
import { isLatchkeyClientError } from './errors.js'
import { parseProperties } from './properties.js'

/** No lone surrogate: only such text survives UTF-8 encoding unchanged. */
const isWellFormed = (value: string) => !/\p{Cs}/u.test(value)

/** The parse, or the code of what was thrown (`'unexpected'` for anything but a LatchkeyClientError). */
function outcome<T>(parse: () => T): T | string {
  try {
    return parse()
  } catch (error) {
    return isLatchkeyClientError(error) ? error.code : 'unexpected'
  }
}

/**
 * One key or value as Java's `Properties.store` writes it, cut into tokens (an escape is one token)
 * so that continuation lines go only between them. `unicode` writes non-ASCII as `\uXXXX`.
 */
function escapeTokens(text: string, { isKey, unicode }: { isKey: boolean; unicode: boolean }): string[] {
  const tokens: string[] = []
  for (const [index, char] of [...text].entries()) {
    const code = char.codePointAt(0) ?? 0
    if (char === ' ') tokens.push(isKey || index === 0 ? '\\ ' : ' ')
    else if (char === '\t') tokens.push('\\t')
    else if (char === '\n') tokens.push('\\n')
    else if (char === '\r') tokens.push('\\r')
    else if (char === '\f') tokens.push('\\f')
    else if ('\\=:#!'.includes(char)) tokens.push(`\\${char}`)
    // Controls always, U+FEFF always (a leading one would be taken for a byte-order mark), the rest when asked.
    else if (code < 0x20 || char === '\uFEFF' || (unicode && code > 0x7e)) {
      for (let i = 0; i < char.length; i++) tokens.push(`\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`)
    } else tokens.push(char)
  }
  return tokens
}

const text = fc.string({ unit: 'binary', maxLength: 24 }).filter((value) => isWellFormed(value))
const entry = fc.tuple(
  fc.oneof(text, fc.constantFrom('apiKey.id', 'apiKey.secret', 'a b', '#x', '!x', 'k=v', 'k:v', '\\u')),
  fc.oneof(text, fc.constantFrom('', ' leading', 'trailing ', '=x', ':x', 'C:\\path\\u1234', '\\')),
)

/** How one logical line is laid out: separator, continuation breaks and their indents, line ending. */
const layout = fc.record({
  separator: fc.constantFrom('=', ':', ' = ', ' ', '\t:\t', ' :'),
  indent: fc.constantFrom('', ' ', '\t', '\f', '  \t'),
  breaks: fc.array(fc.nat(), { maxLength: 3 }),
  ending: fc.constantFrom('\n', '\r\n', '\r'),
  comment: fc.option(
    fc.tuple(
      fc.constantFrom('#', '!', '  #'),
      fc.string({ maxLength: 20 }).map((value) => value.replace(/[\r\n]/g, '')),
    ),
  ),
})

function writeLine(
  [key, value]: [string, string],
  { separator, indent, breaks }: { separator: string; indent: string; breaks: number[] },
  unicode: boolean,
): string {
  // A whitespace separator after an empty key would read as the line's indent.
  const between = key === '' && separator.trim() === '' ? '=' : separator
  const tokens = [
    ...escapeTokens(key, { isKey: true, unicode }),
    between,
    ...escapeTokens(value, { isKey: false, unicode }),
  ]
  const cuts = new Set(breaks.map((cut) => cut % (tokens.length + 1)))
  let line = ''
  for (const [index, token] of tokens.entries()) {
    // Continuation drops the next line's leading whitespace, so never break before whitespace.
    if (cuts.has(index) && index > 0 && !/^[ \t\f]/.test(token)) line += `\\\n${indent}`
    line += token
  }
  return line
}

describe('parseProperties under arbitrary text', () => {
  it('never throws anything but ERR_PROPERTIES_SYNTAX, whatever the text', () => {
    const noisy = fc.string({
      unit: fc.oneof(
        fc.constantFrom('\\', 'u', '=', ':', ' ', '\n', '\r', '#', '!', '0', 'f'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      maxLength: 200,
    })
    fc.assert(
      fc.property(fc.oneof(noisy, fc.string({ unit: 'binary', maxLength: 200 })), (input) => {
        const result = outcome(() => parseProperties(input))
        if (typeof result === 'string') expect(result).toBe('ERR_PROPERTIES_SYNTAX')
      }),
      { numRuns: fuzzRuns(3000) },
    )
  })

  it('round-trips keys and values written with Java escaping, unicode, comments and continuation lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(entry, layout), { maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        (lines, unicode, bom) => {
          let written = bom ? '\uFEFF' : ''
          for (const [pair, lineLayout] of lines) {
            if (lineLayout.comment) written += `${lineLayout.comment.join('')}\\${lineLayout.ending}`
            written += writeLine(pair, lineLayout, unicode) + lineLayout.ending
          }
          // The last duplicate wins, as in Java.
          expect(parseProperties(written)).toEqual(new Map(lines.map(([pair]) => pair)))
        },
      ),
      { numRuns: fuzzRuns(2000) },
    )
  })

  it('names the line of a malformed \\u escape, never its content', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^lksecret_[A-Za-z0-9]{43}$/),
        fc.nat({ max: 5 }),
        fc.constantFrom('\\u', '\\u12', '\\uXYZW', '\\u12G4'),
        (secret, blankLines, broken) => {
          const input = `${'\n'.repeat(blankLines)}apiKey.id = lk_x\napiKey.secret = ${secret}${broken}\n`
          const error = (() => {
            try {
              parseApiKeyProperties(input, 'apiKey.properties')
            } catch (caught) {
              return caught as Error
            }
            throw new Error('Expected a throw.')
          })()
          expect(isLatchkeyClientError(error) && error.code).toBe('ERR_PROPERTIES_SYNTAX')
          expect(error.message).toContain(`Line ${blankLines + 2} of apiKey.properties`)
          expect(error.message).not.toContain(secret)
        },
      ),
      { numRuns: fuzzRuns(200) },
    )
  })
})

describe('parseApiKeyProperties under arbitrary text', () => {
  it('never throws anything but its typed errors, and returns an id and secret only when both are there', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('apiKey.id', 'apiKey.secret', 'other'), text), { maxLength: 4 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (pairs, noise) => {
          const input = `${pairs.map(([key, value]) => writeLine([key, value], { separator: '=', indent: '', breaks: [] }, false)).join('\n')}\n${noise}`
          const result = outcome(() => parseApiKeyProperties(input))
          if (typeof result === 'string') {
            expect(['ERR_PROPERTIES_SYNTAX', 'ERR_CREDENTIALS_MISSING']).toContain(result)
          } else if (result !== undefined) {
            expect(result.id).not.toBe('')
            expect(result.secret).not.toBe('')
          }
        },
      ),
      { numRuns: fuzzRuns(2000) },
    )
  })

  it('reads back any id and secret written with Java escaping, trimmed', () => {
    const credential = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 60 })
      .filter((value) => isWellFormed(value) && value.trim() !== '')
    fc.assert(
      fc.property(credential, credential, fc.boolean(), (id, secret, unicode) => {
        const input = [
          writeLine(['apiKey.id', id], { separator: ' = ', indent: '', breaks: [] }, unicode),
          writeLine(['apiKey.secret', secret], { separator: ' = ', indent: '', breaks: [] }, unicode),
        ].join('\n')
        const apiKey = parseApiKeyProperties(input)
        expect(apiKey?.id).toBe(id.trim())
        expect(apiKey?.secret).toBe(secret.trim())
      }),
      { numRuns: fuzzRuns(1000) },
    )
  })
})
