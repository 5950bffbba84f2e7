import type { AccountChanges } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { makeAccount, makeApiKey, richMetadata } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** Account metadata, and `updateAccount`: only the fields given change, nothing else. */
export function describeAccountUpdates({ store }: ConformanceHarness): void {
  describe('account metadata and updates', () => {
    it('reads back {} metadata for an account made without any', async () => {
      await store().insertAccount(makeAccount())
      expect((await store().getAccount('acct_one'))?.metadata).toEqual({})
      expect((await store().listAccounts())[0]?.metadata).toEqual({})
    })

    it('round-trips nested metadata and a unicode name through insert, get and list', async () => {
      const account = makeAccount({ name: 'Acme — アクメ 🔑', metadata: richMetadata })
      await store().insertAccount(account)
      expect(await store().getAccount(account.id)).toEqual(account)
      expect(await store().listAccounts()).toEqual([account])
      expect((await store().getAccount(account.id))?.metadata).toStrictEqual(richMetadata)
    })

    it.each<[string, AccountChanges]>([
      ['the name', { name: 'Acme Group' }],
      ['the email', { email: 'billing@acme.test' }],
      ['the email, cleared', { email: null }],
      ['the metadata, replaced whole', { metadata: richMetadata }],
      ['the metadata, emptied', { metadata: {} }],
      ['everything at once', { name: 'A', email: null, metadata: { tier: 2 } }],
      ['nothing, for no changes', {}],
    ])('changes only %s, returning the account as it now is', async (_, changes) => {
      const account = makeAccount({ metadata: { tenant: 't-1' } })
      await store().insertAccount(account)
      const updated = { ...account, ...changes }
      expect(await store().updateAccount(account.id, changes)).toEqual(updated)
      expect(await store().getAccount(account.id)).toEqual(updated)
      expect(await store().listAccounts()).toEqual([updated])
    })

    it('leaves a field given as undefined unchanged, as one left out', async () => {
      const account = makeAccount({ metadata: { tenant: 't-1' } })
      await store().insertAccount(account)
      // As plain JavaScript may send it; exactOptionalPropertyTypes keeps TypeScript callers from it.
      const changes = { name: undefined, email: undefined, metadata: { tenant: 't-2' } }
      expect(await store().updateAccount(account.id, changes as unknown as AccountChanges)).toEqual({
        ...account,
        metadata: { tenant: 't-2' },
      })
    })

    it("keeps the account's status, creation and keys as they were", async () => {
      const account = makeAccount()
      await store().insertAccount(account)
      await store().insertApiKey(makeApiKey())
      await store().setAccountStatus(account.id, 'disabled')
      expect(await store().updateAccount(account.id, { name: 'Renamed' })).toEqual({
        ...account,
        status: 'disabled',
        name: 'Renamed',
      })
      expect(await store().findApiKey('lk_one')).toEqual({ ...makeApiKey(), accountStatus: 'disabled' })
    })

    it('changes only the account it names', async () => {
      const other = makeAccount({ id: 'acct_two', metadata: { keep: true } })
      await store().insertAccount(makeAccount())
      await store().insertAccount(other)
      await store().updateAccount('acct_one', { name: 'Renamed', email: null, metadata: {} })
      expect(await store().getAccount(other.id)).toEqual(other)
    })

    it('returns undefined for an account it does not know, and creates none', async () => {
      expect(await store().updateAccount('acct_unknown', { name: 'Ghost' })).toBeUndefined()
      expect(await store().getAccount('acct_unknown')).toBeUndefined()
      expect(await store().listAccounts()).toEqual([])
    })
  })
}
