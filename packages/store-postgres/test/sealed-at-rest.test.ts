import { requestToken } from '@latchkey/store-conformance'
import { KeyEncryptionKey, type KeyStore } from '@latchkey/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresKeyStore } from '../src/index.js'
import { openSession, type PostgresCluster, startPostgres } from './postgres-cluster.js'

let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await startPostgres()
})
afterAll(async () => {
  await cluster?.destroy()
})

/** Issues one token on a new database, then reads every table of it as text. */
async function tablesAfterFirstToken(name: string, keyEncryptionKey?: KeyEncryptionKey): Promise<string> {
  const url = await cluster.createDatabase(name)
  const store: KeyStore & { close(): Promise<void> } = await openPostgresKeyStore(url)
  try {
    expect((await requestToken(store, { keyEncryptionKey })).status).toBe(200)
  } finally {
    await store.close()
  }
  const session = await openSession(url)
  try {
    const tables = (await session.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
    )) as { table_name: string }[]
    const dumps = await Promise.all(
      tables.map(({ table_name }) => session.query(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`)),
    )
    expect(tables.length).toBeGreaterThan(2)
    return JSON.stringify(dumps)
  } finally {
    await session.end()
  }
}

describe('Signing keys at rest in Postgres', () => {
  it('keep no private key material in any table when a key-encryption key is configured', async () => {
    const dump = await tablesAfterFirstToken('sealed', new KeyEncryptionKey(new Uint8Array(32).fill(3)))
    expect(dump).toContain('A256GCM')
    expect(dump).not.toMatch(/\\"d\\"/)
  })

  it('keep the private JWK in the signing-keys table without one (the control)', async () => {
    expect(await tablesAfterFirstToken('plain')).toMatch(/\\"d\\"/)
  })
})
