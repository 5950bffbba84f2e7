import type { KeyStore } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { at, makeAccount, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** `touchApiKeys` of the current store; every store of this repository implements it. */
function touch(store: KeyStore, uses: [string, Date][]) {
  if (!store.touchApiKeys) throw new Error('The store has no touchApiKeys: it cannot keep lastUsedAt.')
  return store.touchApiKeys(new Map(uses))
}

/** `lastUsedAt`: recorded in batches by verifiers, only ever moving forward. */
export function describeLastUsed({ store, reopen }: ConformanceHarness): void {
  describe('lastUsedAt', () => {
    it('has no lastUsedAt for a key never used', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      expect((await store().getApiKey('lk_one'))?.lastUsedAt ?? null).toBeNull()
      expect((await store().listApiKeys())[0]?.lastUsedAt ?? null).toBeNull()
    })

    it('records a use to the millisecond, visible in getApiKey, listApiKeys and setApiKeyStatus', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      await touch(store(), [['lk_one', at(1234)]])
      expect((await store().getApiKey('lk_one'))?.lastUsedAt).toEqual(at(1234))
      expect((await store().listApiKeys())[0]?.lastUsedAt).toEqual(at(1234))
      expect((await store().setApiKeyStatus('lk_one', 'disabled'))?.lastUsedAt).toEqual(at(1234))
    })

    it('only ever moves lastUsedAt forward, whatever order batches arrive in', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      await touch(store(), [['lk_one', at(5000)]])
      await touch(store(), [['lk_one', at(1000)]])
      expect((await store().getApiKey('lk_one'))?.lastUsedAt).toEqual(at(5000))
      await touch(store(), [['lk_one', at(6000)]])
      expect((await store().getApiKey('lk_one'))?.lastUsedAt).toEqual(at(6000))
    })

    it('writes a batch of several keys, skipping ids it does not know', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey({ id: 'lk_a' }))
      await store().insertApiKey(makeApiKey({ id: 'lk_b' }))
      await store().insertApiKey(makeApiKey({ id: 'lk_c' }))
      await touch(store(), [
        ['lk_a', at(1)],
        ['lk_unknown', at(2)],
        ['lk_c', at(3)],
      ])
      const keys = await store().listApiKeys()
      expect(keys.map((key) => [key.id, key.lastUsedAt ?? null])).toEqual([
        ['lk_a', at(1)],
        ['lk_b', null],
        ['lk_c', at(3)],
      ])
      expect(await store().getApiKey('lk_unknown')).toBeUndefined()
      await touch(store(), [])
    })

    it('changes nothing else about the key, and leaves a revoked key revoked', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey()
      await store().insertApiKey(key)
      await store().setApiKeyStatus(key.id, 'revoked')
      await touch(store(), [[key.id, at(42)]])
      expect(await store().getApiKey(key.id)).toEqual({ ...key, status: 'revoked', lastUsedAt: at(42) })
      expect(await store().findApiKey(key.id)).toMatchObject({ status: 'revoked', accountStatus: 'enabled' })
    })

    it('keeps the lastUsedAt a key was inserted with', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey({ lastUsedAt: at(777) })
      await store().insertApiKey(key)
      expect(await store().getApiKey(key.id)).toEqual(key)
    })

    it.runIf(reopen !== undefined)('keeps lastUsedAt across a reopen', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      await touch(store(), [['lk_one', at(99)]])
      const reopened = await reopen?.()
      expect((await reopened?.getApiKey('lk_one'))?.lastUsedAt).toEqual(at(99))
    })
  })
}
