/** Java's `.properties` whitespace: space, tab and form feed only (not VT, not NBSP). */
const whitespace = new Set([' ', '\t', '\f'])

/**
 * Parses `.properties` text exactly as `@latchkey/client` reads `apiKey.properties` (the CLI cannot
 * depend on the client, so `properties.test.ts` holds the two to the same results): the semantics
 * of Java's `Properties.load(Reader)`, with `=`, `:` or whitespace separators; `#`/`!` comment
 * lines; `\` continuation lines (keys included); the escapes `\t \n \r \f \uXXXX` and `\c` for any
 * other `c`; `\n`, `\r\n` and lone `\r` line ends; duplicate keys, the last wins. A leading
 * byte-order mark is stripped, and a malformed `\u` escape throws, naming the line but not its text.
 *
 * @param text The file content, already decoded (UTF-8 for `apiKey.properties`).
 * @param source What to call the text in error messages (a path). Default: `'the properties text'`.
 */
export function parseProperties(text: string, source = 'the properties text'): Map<string, string> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  const properties = new Map<string, string>()
  let index = 0
  while (index < lines.length) {
    const lineNumber = index + 1
    let line = skipWhitespace(lines[index++] ?? '')
    // A comment line is never continued, even when it ends in a backslash.
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    let logical = ''
    for (;;) {
      if (!endsWithOddBackslashes(line)) {
        logical += line
        break
      }
      logical += line.slice(0, -1)
      // A backslash at the end of the file is dropped.
      if (index >= lines.length) break
      line = skipWhitespace(lines[index++] ?? '')
    }
    const [key, value] = splitKeyValue(logical)
    properties.set(decodeEscapes(key, source, lineNumber), decodeEscapes(value, source, lineNumber))
  }
  return properties
}

function skipWhitespace(line: string): string {
  let start = 0
  while (start < line.length && whitespace.has(line[start] ?? '')) start++
  return line.slice(start)
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) count++
  return count % 2 === 1
}

/** The raw (still escaped) key and value of a logical line, as `Properties.load` splits them. */
function splitKeyValue(line: string): [string, string] {
  let keyEnd = 0
  let hasSeparator = false
  while (keyEnd < line.length) {
    const char = line[keyEnd] ?? ''
    if (char === '\\') {
      keyEnd += 2
      continue
    }
    if (char === '=' || char === ':') {
      hasSeparator = true
      break
    }
    if (whitespace.has(char)) break
    keyEnd++
  }
  const key = line.slice(0, Math.min(keyEnd, line.length))
  let valueStart = keyEnd + 1
  // Only the first `=` or `:` is a separator: `k ::: v` has the value `:: v`.
  while (valueStart < line.length) {
    const char = line[valueStart] ?? ''
    if (!whitespace.has(char)) {
      if (hasSeparator || (char !== '=' && char !== ':')) break
      hasSeparator = true
    }
    valueStart++
  }
  return [key, line.slice(valueStart)]
}

const simpleEscapes: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' }

function decodeEscapes(text: string, source: string, lineNumber: number): string {
  if (!text.includes('\\')) return text
  let result = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? ''
    if (char !== '\\') {
      result += char
      continue
    }
    const next = text[++i]
    if (next === undefined) break
    if (next === 'u') {
      const hex = text.slice(i + 1, i + 5)
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) {
        // The line number only: the line may hold a secret.
        throw new Error(
          `Line ${lineNumber} of ${source} has a malformed \\u escape: write \\u followed by exactly 4 hex digits, or \\\\u for a literal backslash and u.`,
        )
      }
      result += String.fromCharCode(Number.parseInt(hex, 16))
      i += 4
    } else {
      result += simpleEscapes[next] ?? next
    }
  }
  return result
}
