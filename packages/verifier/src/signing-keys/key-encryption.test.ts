import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { respond } from '../../test/respond.js'
import { createVerifier, isLatchkeyError, MemoryKeyStore, type VerifierOptions } from '../index.js'
import { createKeyManager, resealSigningKeys } from '../manage/index.js'
import { KeyEncryptionKey } from './key-encryption.js'

const issuer = 'https://api.example.test'
const kek = () => new KeyEncryptionKey(new Uint8Array(32).fill(7))
const otherKek = () => new KeyEncryptionKey(new Uint8Array(32).fill(8))

async function setUp() {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  const basic = `Basic ${btoa(`${key.id}:${key.secret}`)}`
  const token = async (options: Partial<VerifierOptions> = {}) => {
    const response = await respond(
      createVerifier({ store, issuer, ...options }),
      new Request(`${issuer}/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      }),
    )
    return { status: response.status, body: (await response.json()) as { access_token?: string } }
  }
  return { store, token }
}

async function readyError(options: Partial<VerifierOptions> & { store: MemoryKeyStore }): Promise<unknown> {
  return createVerifier({ issuer, ...options })
    .ready?.()
    .then(
      () => undefined,
      (error: unknown) => error,
    )
}

describe('Signing keys encrypted at rest with a key-encryption key', () => {
  it('stores the private key sealed, with no private key material in the store', async () => {
    const { store, token } = await setUp()
    expect((await token({ keyEncryptionKey: kek() })).status).toBe(200)
    const [record] = await store.listSigningKeys()
    expect(record?.privateJwk).toMatchObject({ sealed: 'A256GCM' })
    expect(JSON.stringify(await store.listSigningKeys())).not.toMatch(/"d":/)
  })

  it('keeps signing with the same key after a restart with the same key-encryption key', async () => {
    const { store, token } = await setUp()
    const first = await token({ keyEncryptionKey: kek() })
    const second = await token({ keyEncryptionKey: kek() })
    expect(second.status).toBe(200)
    expect(decodeProtectedHeader(second.body.access_token ?? '').kid).toBe(
      decodeProtectedHeader(first.body.access_token ?? '').kid,
    )
    const restarted = createVerifier({ store, issuer, keyEncryptionKey: kek() })
    await expect(restarted.ready?.()).resolves.toBeUndefined()
    expect((await restarted.authenticate({ authorization: [`Bearer ${first.body.access_token}`] })).ok).toBe(true)
    expect(await store.listSigningKeys()).toHaveLength(1)
  })

  it('cannot sign without the key-encryption key, says so in one line, and makes no new key', async () => {
    const { store, token } = await setUp()
    await token({ keyEncryptionKey: kek() })
    const error = await readyError({ store })
    expect(isLatchkeyError(error) && error.code).toBe('ERR_KEY_ENCRYPTION')
    expect((error as Error).message).toMatch(/^Signing key \S+ is encrypted, and no key-encryption key is configured/)
    expect((error as Error).message).not.toContain('\n')
    const refused = await token()
    expect(refused.status).toBe(500)
    expect(refused.body).toEqual({ error: 'server_error', error_description: 'The server failed.' })
    expect(await store.listSigningKeys()).toHaveLength(1)
  })

  it('cannot sign with another key-encryption key', async () => {
    const { store, token } = await setUp()
    await token({ keyEncryptionKey: kek() })
    const error = await readyError({ store, keyEncryptionKey: otherKek() })
    expect(isLatchkeyError(error) && error.code).toBe('ERR_KEY_ENCRYPTION')
    expect((error as Error).message).toMatch(/sealed with another key-encryption key/)
    expect((await token({ keyEncryptionKey: otherKek() })).status).toBe(500)
  })

  it('refuses a sealed key that was altered or moved to another kid', async () => {
    const sealed = await kek().seal('kid-a', { kty: 'OKP', crv: 'Ed25519', x: 'x', d: 'd' })
    await expect(kek().open('kid-b', sealed)).rejects.toMatchObject({ code: 'ERR_KEY_ENCRYPTION' })
    const flipped = `${sealed.ciphertext.slice(0, -2)}${sealed.ciphertext.endsWith('AA') ? 'BA' : 'AA'}`
    await expect(kek().open('kid-a', { ...sealed, ciphertext: flipped })).rejects.toMatchObject({
      code: 'ERR_KEY_ENCRYPTION',
    })
    await expect(kek().open('kid-a', sealed)).resolves.toMatchObject({ d: 'd' })
  })

  it('still signs with a plain key once a key-encryption key is configured', async () => {
    const { token } = await setUp()
    const plain = await token()
    const sealedAfter = await token({ keyEncryptionKey: kek() })
    expect(sealedAfter.status).toBe(200)
    expect(decodeProtectedHeader(sealedAfter.body.access_token ?? '').kid).toBe(
      decodeProtectedHeader(plain.body.access_token ?? '').kid,
    )
  })

  it('takes exactly 256 bits', () => {
    expect(() => new KeyEncryptionKey(new Uint8Array(31))).toThrow(TypeError)
    expect(() => new KeyEncryptionKey(new Uint8Array(33))).toThrow(TypeError)
  })

  it('changes the key-encryption key in one step, and the old one no longer opens the keys', async () => {
    const { store, token } = await setUp()
    const before = await token({ keyEncryptionKey: kek() })
    expect(await resealSigningKeys(store, { from: kek(), to: otherKek() })).toBe(1)
    const after = await token({ keyEncryptionKey: otherKek() })
    expect(after.status).toBe(200)
    expect(decodeProtectedHeader(after.body.access_token ?? '').kid).toBe(
      decodeProtectedHeader(before.body.access_token ?? '').kid,
    )
    expect((await token({ keyEncryptionKey: kek() })).status).toBe(500)
  })

  it('seals the plain keys of a store that had no key-encryption key', async () => {
    const { store, token } = await setUp()
    await token()
    await resealSigningKeys(store, { to: kek() })
    expect(JSON.stringify(await store.listSigningKeys())).not.toMatch(/"d":/)
    expect((await token({ keyEncryptionKey: kek() })).status).toBe(200)
  })

  it('writes nothing when a key does not open with either key-encryption key', async () => {
    const { store, token } = await setUp()
    await token({ keyEncryptionKey: kek() })
    const stored = JSON.stringify(await store.listSigningKeys())
    const third = new KeyEncryptionKey(new Uint8Array(32).fill(9))
    await expect(resealSigningKeys(store, { from: otherKek(), to: third })).rejects.toMatchObject({
      code: 'ERR_KEY_ENCRYPTION',
    })
    expect(JSON.stringify(await store.listSigningKeys())).toBe(stored)
  })
})
