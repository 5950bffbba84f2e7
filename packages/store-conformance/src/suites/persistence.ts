import { describe, expect, it } from 'vitest'
import { at, makeAccount, makeApiKey, makeEs256SigningKey, makeSigningKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** What a persistent store keeps across a close and a reopen. Registered only when the store can reopen. */
export function describePersistence({ store, reopen }: ConformanceHarness): void {
  if (!reopen) return
  describe('persistence', () => {
    it('keeps accounts, keys, statuses and signing keys after reopening', async () => {
      const account = makeAccount({ email: null })
      const enabled = makeApiKey({ id: 'lk_enabled', scopes: [] })
      const revoked = makeApiKey({ id: 'lk_revoked', scopes: ['a:b/c.d'] })
      const signingKeys = [
        makeSigningKey(),
        makeEs256SigningKey({ createdAt: at(1), expiresAt: new Date(Date.UTC(2100, 0, 1)) }),
      ]
      await store().insertAccount(account)
      await store().insertApiKey(enabled)
      await store().insertApiKey(revoked)
      await store().setApiKeyStatus(revoked.id, 'revoked')
      await store().setAccountStatus(account.id, 'disabled')
      for (const key of signingKeys) await store().insertSigningKey(key)

      const reopened = await reopen()
      expect(await reopened.listAccounts()).toEqual([{ ...account, status: 'disabled' }])
      expect(await reopened.findApiKey(enabled.id)).toEqual({ ...enabled, accountStatus: 'disabled' })
      expect(await reopened.getApiKey(revoked.id)).toEqual({ ...revoked, status: 'revoked' })
      expect(await reopened.setApiKeyStatus(revoked.id, 'enabled')).toMatchObject({ status: 'revoked' })
      expect(await reopened.listSigningKeys()).toEqual(signingKeys)
    })
  })
}
