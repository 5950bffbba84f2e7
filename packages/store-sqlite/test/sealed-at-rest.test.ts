import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requestToken } from '@latchkey/store-conformance'
import { KeyEncryptionKey } from '@latchkey/verifier'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteKeyStore } from '../src/index.js'

const root = mkdtempSync(join(tmpdir(), 'latchkey-sealed-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/**
 * The bytes of the database file and its write-ahead log after one token, read while the store is
 * still open (so the WAL is not yet checkpointed away) and again after it closes.
 */
async function bytesAfterFirstToken(name: string, keyEncryptionKey?: KeyEncryptionKey): Promise<string> {
  const path = join(root, `${name}.db`)
  const store = openSqliteKeyStore(path)
  expect((await requestToken(store, { keyEncryptionKey })).status).toBe(200)
  const files = [path, `${path}-wal`].filter((file) => existsSync(file))
  expect(files).toContain(`${path}-wal`)
  const whileOpen = files.map((file) => readFileSync(file).toString('latin1')).join('')
  store.close()
  return whileOpen + readFileSync(path).toString('latin1')
}

describe('Signing keys at rest in SQLite', () => {
  it('keep no private key material in the database file or its WAL when a key-encryption key is configured', async () => {
    const bytes = await bytesAfterFirstToken('sealed', new KeyEncryptionKey(new Uint8Array(32).fill(5)))
    expect(bytes).toContain('A256GCM')
    expect(bytes).not.toContain('"d":')
  })

  it('keep the private JWK in the file without one (the control)', async () => {
    expect(await bytesAfterFirstToken('plain')).toContain('"d":')
  })
})
