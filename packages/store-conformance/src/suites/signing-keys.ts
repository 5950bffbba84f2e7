import { describe, expect, it } from 'vitest'
import { at, makeEs256SigningKey, makeSigningKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** Signing keys: insert, list, a duplicate `kid`, and expiry for rotation. */
export function describeSigningKeys({ store }: ConformanceHarness): void {
  describe('signing keys', () => {
    it('lists no signing keys when there are none', async () => {
      expect(await store().listSigningKeys()).toEqual([])
    })

    it('round-trips EdDSA and ES256 keys with their JWKs deep-equal and expiresAt null or set', async () => {
      const eddsa = makeSigningKey({ createdAt: at(0) })
      const es256 = makeEs256SigningKey({ createdAt: at(1), expiresAt: new Date('2100-01-01T00:00:00.001Z') })
      await store().insertSigningKey(eddsa)
      await store().insertSigningKey(es256)
      const listed = await store().listSigningKeys()
      expect(listed).toEqual([eddsa, es256])
      expect(listed[0]?.expiresAt).toBeNull()
      expect(listed[1]?.expiresAt).toBeInstanceOf(Date)
      expect(listed[1]?.activatesAt.getTime()).toBe(es256.activatesAt.getTime())
    })

    it('lists signing keys oldest first even when they were inserted out of order', async () => {
      await store().insertSigningKey(makeSigningKey({ kid: 'kid-c', createdAt: at(2000) }))
      await store().insertSigningKey(makeSigningKey({ kid: 'kid-a', createdAt: at(0) }))
      await store().insertSigningKey(makeSigningKey({ kid: 'kid-b', createdAt: at(1000) }))
      expect((await store().listSigningKeys()).map((key) => key.kid)).toEqual(['kid-a', 'kid-b', 'kid-c'])
    })

    it('throws when a kid is inserted twice, and keeps the first', async () => {
      const key = makeSigningKey()
      await store().insertSigningKey(key)
      await expect(async () => store().insertSigningKey({ ...key, expiresAt: at(1) })).rejects.toThrow()
      expect(await store().listSigningKeys()).toEqual([key])
    })

    it('expires a signing key in use, returning it as it now is', async () => {
      const key = makeSigningKey()
      await store().insertSigningKey(key)
      const expiry = of(store().expireSigningKey)
      const expired = { ...key, expiresAt: at(3_600_000) }
      expect(await expiry.call(store(), key.kid, at(3_600_000))).toEqual(expired)
      expect(await store().listSigningKeys()).toEqual([expired])
    })

    it('only ever moves a signing key expiry earlier, never later', async () => {
      const key = makeSigningKey({ expiresAt: at(1000) })
      await store().insertSigningKey(key)
      const expiry = of(store().expireSigningKey)
      expect(await expiry.call(store(), key.kid, at(5000))).toEqual(key)
      expect(await expiry.call(store(), key.kid, at(500))).toEqual({ ...key, expiresAt: at(500) })
      expect((await store().listSigningKeys())[0]?.expiresAt?.getTime()).toBe(at(500).getTime())
    })

    it('returns undefined when expiring a kid it does not know', async () => {
      await store().insertSigningKey(makeSigningKey())
      expect(await of(store().expireSigningKey).call(store(), 'kid-unknown', at())).toBeUndefined()
      expect((await store().listSigningKeys())[0]?.expiresAt).toBeNull()
    })
  })
}

/** The optional method every store of this repository implements, or a failed expectation. */
function of<T>(method: T | undefined): T {
  expect(method, 'the store implements expireSigningKey, needed to rotate signing keys').toBeTypeOf('function')
  return method as T
}
