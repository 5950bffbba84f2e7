import type { ApiKeyStatus } from '@latchkey/verifier'
import { createKeyManager, hashSecret } from '@latchkey/verifier/manage'
import { describe, expect, it } from 'vitest'
import { makeAccount, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** Many callers at once, through the key manager as the CLI and admin APIs use it. */
export function describeConcurrency({ store }: ConformanceHarness): void {
  describe('concurrency', () => {
    it('keeps all 50 keys created in parallel retrievable', async () => {
      const manager = createKeyManager(store())
      const account = await manager.createAccount({ name: 'Acme Ltd' })
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          manager.createApiKey({ accountId: account.id, scopes: [`s${index}`] }),
        ),
      )
      expect(new Set(created.map((key) => key.id)).size).toBe(50)
      for (const key of created) {
        const found = await store().findApiKey(key.id)
        expect(found).toMatchObject({ id: key.id, scopes: key.scopes, status: 'enabled', accountStatus: 'enabled' })
        expect(found?.secretHash).toBe(hashSecret(key.secret))
      }
      expect(await store().listApiKeys({ accountId: account.id })).toHaveLength(50)
    })

    it('ends revoked when a revoke races an enable on one key', async () => {
      const manager = createKeyManager(store())
      const account = await manager.createAccount({ name: 'Acme Ltd' })
      const { id } = await manager.createApiKey({ accountId: account.id })
      // The enable may land before or after the revoke; if after, it is refused. Either way the key ends revoked.
      const [revoke] = await Promise.allSettled([manager.revokeApiKey(id), manager.enableApiKey(id)])
      expect(revoke.status).toBe('fulfilled')
      expect((await store().getApiKey(id))?.status).toBe('revoked')
    })

    it('ends revoked when one revoke races 20 enables and disables', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      const statuses: ApiKeyStatus[] = Array.from({ length: 21 }, (_, index) =>
        index === 10 ? 'revoked' : index % 2 === 0 ? 'enabled' : 'disabled',
      )
      const results = await Promise.all(statuses.map(async (status) => store().setApiKeyStatus('lk_one', status)))
      // Every call after the revoke sees it; none may bring the key back.
      const revokedAt = results.findIndex((key) => key?.status === 'revoked')
      expect(revokedAt).toBeGreaterThanOrEqual(0)
      expect(results.slice(revokedAt).every((key) => key?.status === 'revoked')).toBe(true)
      expect((await store().findApiKey('lk_one'))?.status).toBe('revoked')
    })
  })
}
