import type { ApiKeyChanges } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { at, makeAccount, makeApiKey, richMetadata } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** A key with every changeable field set, so a change that touches the wrong field is seen. */
const named = makeApiKey({
  name: 'staging',
  description: 'The staging deployment',
  scopes: ['read', 'write'],
  metadata: { plan: 'pro' },
  expiresAt: at(3_600_000),
})

/** `updateApiKey`: only the fields given change, nothing else, and every read sees it at once. */
export function describeKeyUpdates({ store, connect }: ConformanceHarness): void {
  describe('API key updates', () => {
    it.each<[string, ApiKeyChanges]>([
      ['the name', { name: 'production — 本番' }],
      ['the name, cleared', { name: null }],
      ['the description', { description: 'Rotated yearly' }],
      ['the description, cleared', { description: null }],
      ['the scopes, narrowed', { scopes: ['read'] }],
      ['the scopes, emptied', { scopes: [] }],
      ['the metadata, replaced whole', { metadata: richMetadata }],
      ['the metadata, emptied', { metadata: {} }],
      ['the expiry, to the millisecond', { expiresAt: at(123) }],
      ['the expiry, cleared', { expiresAt: null }],
      ['everything at once', { name: 'n', description: 'd', scopes: ['x'], metadata: { a: [1] }, expiresAt: at(7) }],
      ['nothing, for no changes', {}],
    ])('changes only %s, returning the key as it now is', async (_, changes) => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(named)
      const updated = { ...named, ...changes }
      expect(await store().updateApiKey(named.id, changes)).toEqual(updated)
      expect(await store().getApiKey(named.id)).toEqual(updated)
      expect(await store().listApiKeys()).toEqual([updated])
      expect(await store().findApiKey(named.id)).toEqual({ ...updated, accountStatus: 'enabled' })
    })

    it('leaves a field given as undefined unchanged, as one left out', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(named)
      // As plain JavaScript may send it; exactOptionalPropertyTypes keeps TypeScript callers from it.
      const changes = { name: undefined, description: null, scopes: undefined, expiresAt: undefined }
      expect(await store().updateApiKey(named.id, changes as unknown as ApiKeyChanges)).toEqual({
        ...named,
        description: null,
      })
      expect(await store().getApiKey(named.id)).toEqual({ ...named, description: null })
    })

    it('changes nothing else: status, secret, account, creation, rotation links and lastUsedAt stay', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey({ ...named, status: 'disabled', replaces: 'lk_earlier', lastUsedAt: at(99) })
      await store().insertApiKey(key)
      const changes = { name: 'n', description: 'd', scopes: [], metadata: { b: 2 }, expiresAt: at(1) }
      expect(await store().updateApiKey(key.id, changes)).toEqual({ ...key, ...changes })
      expect(await store().getApiKey(key.id)).toEqual({ ...key, ...changes })
    })

    it('updates a revoked key and leaves it revoked', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(named)
      await store().setApiKeyStatus(named.id, 'revoked')
      expect(await store().updateApiKey(named.id, { name: 'retired' })).toEqual({
        ...named,
        status: 'revoked',
        name: 'retired',
      })
    })

    it('changes only the key it names', async () => {
      await store().insertAccount(makeAccount())
      const other = makeApiKey({ ...named, id: 'lk_other' })
      await store().insertApiKey(named)
      await store().insertApiKey(other)
      await store().updateApiKey(named.id, { name: 'renamed', scopes: ['read'], metadata: {}, expiresAt: null })
      expect(await store().getApiKey(other.id)).toEqual(other)
    })

    it('returns undefined for a key it does not know, and creates none', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(named)
      expect(await store().updateApiKey('lk_unknown', { name: 'ghost', scopes: ['admin'] })).toBeUndefined()
      expect(await store().getApiKey('lk_unknown')).toBeUndefined()
      expect(await store().listApiKeys()).toEqual([named])
    })

    it('shows an update made through another connection to the next findApiKey', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(named)
      expect((await store().findApiKey(named.id))?.scopes).toEqual(['read', 'write'])
      const other = connect ? await connect() : store()
      await other.updateApiKey(named.id, { scopes: ['read'], expiresAt: at(1), name: 'narrowed' })
      expect(await store().findApiKey(named.id)).toMatchObject({ scopes: ['read'], expiresAt: at(1), name: 'narrowed' })
    })
  })
}
