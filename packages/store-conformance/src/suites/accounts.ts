import { describe, expect, it } from 'vitest'
import { at, makeAccount } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** Accounts: insert, get, list, status. */
export function describeAccounts({ store }: ConformanceHarness): void {
  describe('accounts', () => {
    it('returns an inserted account as it was given', async () => {
      const account = makeAccount()
      await store().insertAccount(account)
      expect(await store().getAccount(account.id)).toEqual(account)
    })

    it('keeps a null email as null', async () => {
      const account = makeAccount({ email: null })
      await store().insertAccount(account)
      expect((await store().getAccount(account.id))?.email).toBeNull()
    })

    it('returns undefined for an account id it does not know', async () => {
      await store().insertAccount(makeAccount())
      expect(await store().getAccount('acct_unknown')).toBeUndefined()
    })

    it('lists no accounts when there are none', async () => {
      expect(await store().listAccounts()).toEqual([])
    })

    it('lists accounts oldest first even when they were inserted out of order', async () => {
      // Two processes (a server and the CLI) can each stamp createdAt and then insert in the other order.
      await store().insertAccount(makeAccount({ id: 'acct_c', createdAt: at(2000) }))
      await store().insertAccount(makeAccount({ id: 'acct_a', createdAt: at(0) }))
      await store().insertAccount(makeAccount({ id: 'acct_b', createdAt: at(1000) }))
      expect((await store().listAccounts()).map((account) => account.id)).toEqual(['acct_a', 'acct_b', 'acct_c'])
    })

    it('lists accounts created in the same millisecond by id', async () => {
      await store().insertAccount(makeAccount({ id: 'acct_y' }))
      await store().insertAccount(makeAccount({ id: 'acct_x' }))
      await store().insertAccount(makeAccount({ id: 'acct_z' }))
      expect((await store().listAccounts()).map((account) => account.id)).toEqual(['acct_x', 'acct_y', 'acct_z'])
    })

    it('throws when an account id is inserted twice, and keeps the first', async () => {
      const account = makeAccount()
      await store().insertAccount(account)
      await expect(async () => store().insertAccount({ ...account, name: 'Impostor' })).rejects.toThrow()
      expect(await store().getAccount(account.id)).toEqual(account)
      expect(await store().listAccounts()).toHaveLength(1)
    })

    it('disables and re-enables an account, returning it as it now is', async () => {
      const account = makeAccount()
      await store().insertAccount(account)
      expect(await store().setAccountStatus(account.id, 'disabled')).toEqual({ ...account, status: 'disabled' })
      expect(await store().getAccount(account.id)).toEqual({ ...account, status: 'disabled' })
      expect(await store().setAccountStatus(account.id, 'enabled')).toEqual(account)
      expect(await store().getAccount(account.id)).toEqual(account)
    })

    it('returns undefined when setting the status of an account it does not know', async () => {
      expect(await store().setAccountStatus('acct_unknown', 'disabled')).toBeUndefined()
      expect(await store().getAccount('acct_unknown')).toBeUndefined()
    })
  })
}
