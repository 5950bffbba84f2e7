import { createVerifier, type KeyStore, type SigningKeyRecord } from '@latchkey/verifier'
import { createKeyManager } from '@latchkey/verifier/manage'
import { describe, expect, it } from 'vitest'
import { at, makeSigningKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

const issuer = 'https://api.latchkey.test'

/**
 * The first signing key: exactly one, however many writers race for it, in one process or on
 * several connections of one database (the issue-17 finding: 32 racing first token requests left 32
 * keys in the JWKS).
 */
export function describeFirstSigningKey({ store, connect }: ConformanceHarness): void {
  /** The test's store and another on its database, or the one store twice when it cannot share. */
  async function twoInstances(): Promise<[KeyStore, KeyStore]> {
    return [store(), connect ? await connect() : store()]
  }

  describe('the first signing key', () => {
    it('inserts the first signing key into an empty store and returns it', async () => {
      const key = makeSigningKey()
      expect(await insertFirst(store(), key)).toEqual(key)
      expect(await store().listSigningKeys()).toEqual([key])
    })

    it('inserts nothing into a store that holds signing keys, expired or pending alike, and returns its oldest', async () => {
      const expired = makeSigningKey({ kid: 'kid-expired', createdAt: at(0), expiresAt: at(1) })
      const pending = makeSigningKey({ kid: 'kid-pending', createdAt: at(5), activatesAt: at(3_600_000) })
      await store().insertSigningKey(pending)
      await store().insertSigningKey(expired)
      expect(await insertFirst(store(), makeSigningKey({ kid: 'kid-late', createdAt: at(10) }))).toEqual(expired)
      expect((await store().listSigningKeys()).map((key) => key.kid)).toEqual(['kid-expired', 'kid-pending'])
    })

    it('keeps exactly one key when 16 writers on two connections race to insert the first', async () => {
      const instances = await twoInstances()
      // Reads at once first, so that a store with a pool has its connections open and the writers
      // below reach the database together rather than one connection set-up apart.
      await Promise.all(Array.from({ length: 16 }, async (_, index) => instances[index % 2]?.listSigningKeys()))
      const returned = await Promise.all(
        Array.from({ length: 16 }, async (_, index) => {
          const instance = instances[index % 2] as KeyStore
          return insertFirst(instance, makeSigningKey({ kid: `kid-${index}`, createdAt: at(index) }))
        }),
      )
      const listed = await store().listSigningKeys()
      expect(listed).toHaveLength(1)
      expect(await instances[1].listSigningKeys()).toEqual(listed)
      expect(new Set(returned.map((key) => key.kid))).toEqual(new Set([listed[0]?.kid]))
    })

    it('signs all 32 first tokens with one key when they race on two verifiers of one store', async () => {
      const instances = await twoInstances()
      const manager = createKeyManager(store())
      const account = await manager.createAccount({ name: 'Acme Ltd' })
      const { id, secret } = await manager.createApiKey({ accountId: account.id })
      const verifiers = instances.map((instance) => createVerifier({ store: instance, issuer }))
      try {
        const kids = await Promise.all(
          Array.from({ length: 32 }, async (_, index) => {
            const response = await verifiers[index % 2]?.answer(
              new Request(`${issuer}/oauth/token`, {
                method: 'POST',
                headers: {
                  authorization: `Basic ${btoa(`${id}:${secret}`)}`,
                  'content-type': 'application/x-www-form-urlencoded',
                },
                body: 'grant_type=client_credentials',
              }),
            )
            expect(response?.status).toBe(200)
            return kidOf((JSON.parse(response?.body ?? '{}') as { access_token: string }).access_token)
          }),
        )
        const listed = await store().listSigningKeys()
        expect(listed).toHaveLength(1)
        expect(new Set(kids)).toEqual(new Set([listed[0]?.kid]))
        for (const verifier of verifiers) {
          expect((await verifier.jwks()).keys.map((key) => key.kid)).toEqual([listed[0]?.kid])
        }
      } finally {
        await Promise.all(verifiers.map((verifier) => verifier.close?.()))
      }
    })
  })
}

/** `store.insertFirstSigningKey(key)`; every store of this repository implements it. */
async function insertFirst(store: KeyStore, key: SigningKeyRecord): Promise<SigningKeyRecord> {
  expect(store.insertFirstSigningKey, 'the store implements insertFirstSigningKey').toBeTypeOf('function')
  return (store.insertFirstSigningKey as NonNullable<KeyStore['insertFirstSigningKey']>).call(store, key)
}

/** The `kid` of a compact JWS's protected header (RFC 7515 §7.1). */
function kidOf(token: string): string | undefined {
  const header = (token.split('.')[0] ?? '').replaceAll('-', '+').replaceAll('_', '/')
  return (JSON.parse(atob(header)) as { kid?: string }).kid
}
