import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteKeyStore } from '../src/index.js'
import { race, racer } from './racer.js'

const root = mkdtempSync(join(tmpdir(), 'latchkey-first-signing-key-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('SqliteKeyStore.insertFirstSigningKey across processes', () => {
  it('keeps exactly one key when 6 processes race to insert the first into one file', async () => {
    const filename = join(root, 'keys.db')
    openSqliteKeyStore(filename).close()
    const kids = await race(
      Array.from({ length: 6 }, (_, index) => racer('insert-first-signing-key.ts', [filename, `kid-${index}`])),
    )
    const store = openSqliteKeyStore(filename)
    const listed = store.listSigningKeys().map((key) => key.kid)
    store.close()
    expect(listed).toHaveLength(1)
    expect(new Set(kids)).toEqual(new Set(listed))
  }, 40_000)
})
