import { KeyEncryptionKey, type KeyStore } from '@latchkey/verifier'
import { resealSigningKeys } from '@latchkey/verifier/manage'
import { describe, expect, it } from 'vitest'
import { makeSigningKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'
import { newClient as client, requestToken } from '../token-request.js'

const kek = new KeyEncryptionKey(new Uint8Array(32).fill(11))
const otherKek = new KeyEncryptionKey(new Uint8Array(32).fill(12))

/** A token for `basic` from a verifier on `store` with `keyEncryptionKey`. */
const issue = (store: KeyStore, basic: string, keyEncryptionKey?: KeyEncryptionKey) =>
  requestToken(store, { basic, keyEncryptionKey })

/** Private signing keys sealed with a key-encryption key: stored, reopened, resealed. */
export function describeSealedSigningKeys({ store, reopen }: ConformanceHarness): void {
  describe('signing keys sealed at rest', () => {
    it('replaces only the private half of a signing key, and answers undefined for an unknown kid', async () => {
      const key = makeSigningKey()
      await store().insertSigningKey(key)
      const sealed = await kek.seal(key.kid, { kty: 'OKP', crv: 'Ed25519', x: 'x', d: 'd' })
      expect(await store().replaceSigningKeyPrivateKey?.(key.kid, sealed)).toEqual({ ...key, privateJwk: sealed })
      expect(await store().listSigningKeys()).toEqual([{ ...key, privateJwk: sealed }])
      expect(await store().replaceSigningKeyPrivateKey?.('kid-unknown', sealed)).toBeUndefined()
    })

    it('holds no private key material once a verifier with a key-encryption key made the first key', async () => {
      expect((await issue(store(), await client(store()), kek)).status).toBe(200)
      const [record] = await store().listSigningKeys()
      expect(record?.privateJwk).toMatchObject({ sealed: 'A256GCM' })
      expect(JSON.stringify(await store().listSigningKeys())).not.toMatch(/"d":/)
    })

    it('signs with the same key after a reopen with the same key-encryption key, and not at all without it', async () => {
      const basic = await client(store())
      const first = await issue(store(), basic, kek)
      const again = reopen ? await reopen() : store()
      expect(await issue(again, basic, kek)).toEqual(first)
      expect((await issue(again, basic)).status).toBe(500)
      expect((await issue(again, basic, otherKek)).status).toBe(500)
      expect(await again.listSigningKeys()).toHaveLength(1)
    })

    it('moves every key to a new key-encryption key in one step', async () => {
      const basic = await client(store())
      const first = await issue(store(), basic, kek)
      await resealSigningKeys(store(), { from: kek, to: otherKek })
      expect(await issue(store(), basic, otherKek)).toEqual(first)
      expect((await issue(store(), basic, kek)).status).toBe(500)
    })
  })
}
