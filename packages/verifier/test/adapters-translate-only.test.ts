import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const folder = new URL('../src/adapters/', import.meta.url)
// The adapters and the Node helpers they share (node-bridge/).
const files = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter(
  (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
)

/** What belongs to src/http/answers.ts alone (style rules 4 and 5). */
const forbidden: Record<string, RegExp> = {
  'an HTTP status written as a number': /\b[1-5]\d\d\b/,
  'an OAuth error code': /invalid_|insufficient_scope|unsupported_grant_type|temporarily_unavailable|server_error/,
  'a challenge header': /www-authenticate/i,
}

describe('The adapters translate, nothing more', () => {
  it('finds every adapter', () => {
    expect(files).toEqual(
      expect.arrayContaining(['express.ts', 'node.ts', 'fetch.ts', 'fastify.ts', 'koa.ts', 'hono.ts', 'next.ts']),
    )
  })

  it.each(files)('%s holds no status code, OAuth error code or challenge', (name) => {
    const text = readFileSync(new URL(name, folder), 'utf8')
    const found = Object.entries(forbidden).flatMap(([what, pattern]) => {
      const line = text.split('\n').findIndex((candidate) => pattern.test(candidate))
      return line === -1 ? [] : [`${what} on line ${line + 1}`]
    })
    expect(found, `${name}: move it to src/http/answers.ts`).toEqual([])
  })

  it.each(files)('%s stays about 60 lines long, re-exports aside', (name) => {
    const lines = readFileSync(new URL(name, folder), 'utf8').trimEnd().split('\n')
    // A re-export of the bridge (`export { authorizationOf } from …`) and the blank line before it hold no logic.
    const reexports = lines.filter((line) => /^export \{[^}]*\} from /.test(line)).length
    expect(lines.length - 2 * reexports).toBeLessThanOrEqual(70)
  })
})
