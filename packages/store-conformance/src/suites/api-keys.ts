import { describe, expect, it } from 'vitest'
import { at, makeAccount, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** Every printable ASCII character RFC 6749 §3.3 allows in a scope token: all but space, `"` and `\`. */
const everyScopeCharacter = Array.from({ length: 0x7e - 0x20 }, (_, index) => String.fromCharCode(0x21 + index))
  .filter((character) => character !== '"' && character !== '\\')
  .join('')

/** API keys: insert, get, find (the hot path), list, status, and what must throw. */
export function describeApiKeys({ store }: ConformanceHarness): void {
  describe('API keys', () => {
    it('returns an inserted key by id as it was given', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey()
      await store().insertApiKey(key)
      expect(await store().getApiKey(key.id)).toEqual(key)
    })

    it('finds a key joined with its account status', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey()
      await store().insertApiKey(key)
      expect(await store().findApiKey(key.id)).toEqual({ ...key, accountStatus: 'enabled' })
    })

    it('reflects an account being disabled and re-enabled in findApiKey at once', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      await store().setAccountStatus('acct_one', 'disabled')
      expect(await store().findApiKey('lk_one')).toMatchObject({ status: 'enabled', accountStatus: 'disabled' })
      await store().setAccountStatus('acct_one', 'enabled')
      expect(await store().findApiKey('lk_one')).toMatchObject({ status: 'enabled', accountStatus: 'enabled' })
    })

    it.each([
      ['an empty scope list', []],
      ['one scope', ['read']],
      ['unsorted scopes in their order', ['write', 'admin', 'read']],
      ['scopes with punctuation such as a:b/c.d', ['a:b/c.d', 'https://api.example.test/orders.read', 'x[1]=y{2}']],
      ['a scope of every character RFC 6749 allows', [everyScopeCharacter]],
      ['100 scopes', Array.from({ length: 100 }, (_, index) => `scope-${index}`)],
    ])('round-trips %s unchanged', async (_, scopes: string[]) => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey({ scopes }))
      expect((await store().getApiKey('lk_one'))?.scopes).toEqual(scopes)
      expect((await store().findApiKey('lk_one'))?.scopes).toEqual(scopes)
      expect((await store().listApiKeys())[0]?.scopes).toEqual(scopes)
    })

    it('round-trips createdAt to the millisecond as a Date', async () => {
      await store().insertAccount(makeAccount({ createdAt: new Date('1999-12-31T23:59:59.999Z') }))
      await store().insertApiKey(makeApiKey({ createdAt: new Date('2100-01-01T00:00:00.001Z') }))
      const account = await store().getAccount('acct_one')
      const key = await store().getApiKey('lk_one')
      const found = await store().findApiKey('lk_one')
      expect(account?.createdAt).toBeInstanceOf(Date)
      expect(account?.createdAt.getTime()).toBe(Date.parse('1999-12-31T23:59:59.999Z'))
      expect(key?.createdAt).toBeInstanceOf(Date)
      expect(key?.createdAt.getTime()).toBe(Date.parse('2100-01-01T00:00:00.001Z'))
      expect(found?.createdAt.getTime()).toBe(Date.parse('2100-01-01T00:00:00.001Z'))
    })

    it('lists all keys oldest first even when they were inserted out of order', async () => {
      await store().insertAccount(makeAccount({ id: 'acct_one' }))
      await store().insertAccount(makeAccount({ id: 'acct_two' }))
      await store().insertApiKey(makeApiKey({ id: 'lk_c', accountId: 'acct_one', createdAt: at(2000) }))
      await store().insertApiKey(makeApiKey({ id: 'lk_a', accountId: 'acct_two', createdAt: at(0) }))
      await store().insertApiKey(makeApiKey({ id: 'lk_b', accountId: 'acct_one', createdAt: at(1000) }))
      expect((await store().listApiKeys()).map((key) => key.id)).toEqual(['lk_a', 'lk_b', 'lk_c'])
      expect((await store().listApiKeys({})).map((key) => key.id)).toEqual(['lk_a', 'lk_b', 'lk_c'])
    })

    it('lists keys created in the same millisecond by id', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey({ id: 'lk_y' }))
      await store().insertApiKey(makeApiKey({ id: 'lk_x' }))
      await store().insertApiKey(makeApiKey({ id: 'lk_z' }))
      expect((await store().listApiKeys()).map((key) => key.id)).toEqual(['lk_x', 'lk_y', 'lk_z'])
    })

    it('lists only the keys of one account, oldest first, when filtered by account', async () => {
      await store().insertAccount(makeAccount({ id: 'acct_one' }))
      await store().insertAccount(makeAccount({ id: 'acct_two' }))
      await store().insertAccount(makeAccount({ id: 'acct_none' }))
      await store().insertApiKey(makeApiKey({ id: 'lk_2b', accountId: 'acct_two', createdAt: at(3000) }))
      await store().insertApiKey(makeApiKey({ id: 'lk_1a', accountId: 'acct_one', createdAt: at(1000) }))
      await store().insertApiKey(makeApiKey({ id: 'lk_2a', accountId: 'acct_two', createdAt: at(2000) }))
      const two = await store().listApiKeys({ accountId: 'acct_two' })
      expect(two.map((key) => key.id)).toEqual(['lk_2a', 'lk_2b'])
      expect(two.every((key) => key.accountId === 'acct_two')).toBe(true)
      expect((await store().listApiKeys({ accountId: 'acct_one' })).map((key) => key.id)).toEqual(['lk_1a'])
      expect(await store().listApiKeys({ accountId: 'acct_none' })).toEqual([])
      expect(await store().listApiKeys({ accountId: 'acct_unknown' })).toEqual([])
    })

    it('lists no keys when there are none', async () => {
      expect(await store().listApiKeys()).toEqual([])
    })

    it('disables and re-enables a key, returning it as it now is', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey()
      await store().insertApiKey(key)
      expect(await store().setApiKeyStatus(key.id, 'disabled')).toEqual({ ...key, status: 'disabled' })
      expect(await store().findApiKey(key.id)).toMatchObject({ status: 'disabled', accountStatus: 'enabled' })
      expect(await store().setApiKeyStatus(key.id, 'enabled')).toEqual(key)
      expect(await store().getApiKey(key.id)).toEqual(key)
    })

    it('keeps a revoked key revoked when it is enabled or disabled again', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey()
      await store().insertApiKey(key)
      const revoked = { ...key, status: 'revoked' }
      expect(await store().setApiKeyStatus(key.id, 'revoked')).toEqual(revoked)
      expect(await store().setApiKeyStatus(key.id, 'enabled')).toEqual(revoked)
      expect(await store().setApiKeyStatus(key.id, 'disabled')).toEqual(revoked)
      expect(await store().setApiKeyStatus(key.id, 'revoked')).toEqual(revoked)
      expect(await store().getApiKey(key.id)).toEqual(revoked)
      expect(await store().findApiKey(key.id)).toMatchObject({ status: 'revoked' })
    })

    it('returns undefined from findApiKey, getApiKey and setApiKeyStatus for a key it does not know', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      expect(await store().findApiKey('lk_unknown')).toBeUndefined()
      expect(await store().getApiKey('lk_unknown')).toBeUndefined()
      expect(await store().setApiKeyStatus('lk_unknown', 'disabled')).toBeUndefined()
      expect(await store().getApiKey('lk_unknown')).toBeUndefined()
    })

    it('throws when a key names an account that does not exist, and stores nothing', async () => {
      await expect(async () => store().insertApiKey(makeApiKey({ accountId: 'acct_unknown' }))).rejects.toThrow()
      expect(await store().getApiKey('lk_one')).toBeUndefined()
      expect(await store().listApiKeys()).toEqual([])
    })

    it('throws when a key id is inserted twice, and keeps the first', async () => {
      await store().insertAccount(makeAccount({ id: 'acct_one' }))
      await store().insertAccount(makeAccount({ id: 'acct_two' }))
      const key = makeApiKey()
      await store().insertApiKey(key)
      await expect(async () =>
        store().insertApiKey({ ...key, accountId: 'acct_two', secretHash: 'sha256:other', scopes: ['admin'] }),
      ).rejects.toThrow()
      expect(await store().getApiKey(key.id)).toEqual(key)
      expect(await store().listApiKeys()).toHaveLength(1)
    })
  })
}
