import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { LatchkeyError, type LatchkeyErrorCode } from '../src/errors.js'
import { errorAnswer, errorTable } from '../src/http/answers.js'

/** The rows of the README's error table, by code: status, `error` and challenge cells as written. */
function readmeRows(): Map<string, { status: string; error: string; challenge: string }> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('## Errors'))
  const rows = new Map<string, { status: string; error: string; challenge: string }>()
  for (const line of section.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim())
    const code = /^`(ERR_[A-Z_]+)`/.exec(cells[1] ?? '')?.[1]
    if (code) rows.set(code, { status: cells[2] ?? '', error: cells[3] ?? '', challenge: cells[4] ?? '' })
  }
  return rows
}

/** The first text in backticks of a cell, or '' when it has none. */
const firstCode = (cell: string): string => /`([^`]*)`/.exec(cell)?.[1] ?? ''

/** Whether `written` (with `…` standing for any text) describes `actual`. */
function describes(written: string, actual: string): boolean {
  const pattern = written
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${pattern}$`).test(actual)
}

describe("The README's error table", () => {
  const rows = readmeRows()
  const codes = Object.keys(errorTable) as LatchkeyErrorCode[]

  it('lists every error code of the code, and no other', () => {
    expect([...rows.keys()].sort()).toEqual([...codes].sort())
  })

  it.each(codes)('gives %s the status and error code the code answers with', (code) => {
    const row = rows.get(code)
    expect(row, `${code} is missing from the README's table`).toBeDefined()
    expect(Number.parseInt(row?.status ?? '', 10)).toBe(errorTable[code].status)
    expect(firstCode(row?.error ?? '')).toBe(errorTable[code].error)
  })

  it.each(codes)('gives %s the challenge a protected resource answers with', (code) => {
    const written = firstCode(rows.get(code)?.challenge ?? '').replaceAll('"R"', '"api"')
    const answer = errorAnswer(new LatchkeyError(code, 'Something.', { scope: ['write'] }), 'resource', {
      realm: 'api',
    })
    const actual = answer.headers['WWW-Authenticate'] ?? ''
    expect(written === '' ? actual === '' : describes(written, actual), `${code}: ${written} vs ${actual}`).toBe(true)
  })
})
