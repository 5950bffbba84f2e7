import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteKeyStore } from '../src/index.js'
import { race, racer } from './racer.js'

const root = mkdtempSync(join(tmpdir(), 'latchkey-rotate-api-key-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('SqliteKeyStore.rotateApiKey across processes', () => {
  it('lets exactly one of 6 processes rotating one key in one file win, and stores only its replacement', async () => {
    const filename = join(root, 'keys.db')
    const setUp = openSqliteKeyStore(filename)
    const createdAt = new Date()
    setUp.insertAccount({ id: 'acct_one', name: 'Acme', email: null, status: 'enabled', createdAt, metadata: {} })
    setUp.insertApiKey({
      id: 'lk_one',
      accountId: 'acct_one',
      secretHash: 'sha256:x',
      scopes: ['read'],
      status: 'enabled',
      createdAt,
      name: null,
      description: null,
      metadata: {},
      expiresAt: null,
      replaces: null,
      replacedBy: null,
    })
    setUp.close()
    const ids = Array.from({ length: 6 }, (_, index) => `lk_r${index}`)
    const answers = await race(ids.map((id) => racer('rotate-api-key.ts', [filename, 'lk_one', id])))
    expect(answers.filter((answer) => answer === 'rotated')).toHaveLength(1)
    expect(answers.filter((answer) => answer === 'refused')).toHaveLength(5)
    const winner = ids[answers.indexOf('rotated')]
    const store = openSqliteKeyStore(filename)
    const keys = store.listApiKeys().map((key) => [key.id, key.replaces, key.replacedBy])
    store.close()
    expect(keys.sort()).toEqual([
      ['lk_one', null, winner],
      [winner, 'lk_one', null],
    ])
  }, 40_000)
})
