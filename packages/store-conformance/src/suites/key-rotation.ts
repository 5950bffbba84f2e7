import type { ApiKeyRecord, KeyStore } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { at, makeAccount, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** A replacement of `lk_one` as a key manager makes it: a new id and secret, the same account. */
function makeReplacement(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return makeApiKey({
    id: 'lk_two',
    secretHash: 'sha256:fUpp7sxS1Hw0xc54OKiJU4yB9W1wTP3yMPQM3sTRJ_c',
    createdAt: at(1000),
    name: 'staging',
    metadata: { plan: 'pro' },
    ...overrides,
  })
}

/** `rotateApiKey`: a replacement and a link, both or neither, and exactly one of racing rotations. */
export function describeKeyRotation({ store, connect }: ConformanceHarness): void {
  /** The store's keys, so a refusal can be shown to have changed none of them. */
  const allKeys = async () => store().listApiKeys()

  describe('API key rotation', () => {
    it('stores the replacement naming the key it replaces, and links the key to it, ending at the given instant', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey({ name: 'staging', lastUsedAt: at(500) })
      const replacement = makeReplacement()
      await store().insertApiKey(key)
      const result = await store().rotateApiKey(key.id, replacement, at(60_000))
      const previous = { ...key, replacedBy: replacement.id, expiresAt: at(60_000) }
      const stored = { ...replacement, replaces: key.id }
      expect(result).toEqual({ rotated: true, previous, replacement: stored })
      expect(await store().getApiKey(key.id)).toEqual(previous)
      expect(await store().getApiKey(replacement.id)).toEqual(stored)
      expect(await store().findApiKey(key.id)).toMatchObject({ replacedBy: replacement.id, expiresAt: at(60_000) })
      expect(await store().findApiKey(replacement.id)).toEqual({ ...stored, accountStatus: 'enabled' })
      expect(await allKeys()).toEqual([previous, stored])
    })

    it('keeps an expiry earlier than the overlap, and leaves the key enabled', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey({ expiresAt: at(1000) }))
      const result = await store().rotateApiKey('lk_one', makeReplacement(), at(60_000))
      expect(result.previous).toMatchObject({ status: 'enabled', expiresAt: at(1000), replacedBy: 'lk_two' })
      expect((await store().getApiKey('lk_one'))?.expiresAt).toEqual(at(1000))
    })

    it('moves an expiry later than the overlap to its end', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey({ expiresAt: at(3_600_000) }))
      const result = await store().rotateApiKey('lk_one', makeReplacement(), at(60_000))
      expect(result.previous?.expiresAt).toEqual(at(60_000))
      expect((await store().findApiKey('lk_one'))?.expiresAt).toEqual(at(60_000))
    })

    it('rotates the replacement in turn, keeping the chain of links', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      await store().rotateApiKey('lk_one', makeReplacement(), at(60_000))
      const third = makeReplacement({ id: 'lk_three', createdAt: at(2000) })
      expect(await store().rotateApiKey('lk_two', third, at(120_000))).toMatchObject({ rotated: true })
      expect((await allKeys()).map((key) => [key.id, key.replaces, key.replacedBy])).toEqual([
        ['lk_one', null, 'lk_two'],
        ['lk_two', 'lk_one', 'lk_three'],
        ['lk_three', 'lk_two', null],
      ])
    })

    it('changes nothing and stores no replacement for a key it does not know', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      const before = await allKeys()
      expect(await store().rotateApiKey('lk_unknown', makeReplacement(), at(60_000))).toEqual({
        rotated: false,
        previous: undefined,
      })
      expect(await allKeys()).toEqual(before)
    })

    it.each(['disabled', 'revoked'] as const)(
      'changes nothing and stores no replacement for a %s key',
      async (status) => {
        await store().insertAccount(makeAccount())
        await store().insertApiKey(makeApiKey())
        await store().setApiKeyStatus('lk_one', status)
        const before = await allKeys()
        const result = await store().rotateApiKey('lk_one', makeReplacement(), at(60_000))
        expect(result).toEqual({ rotated: false, previous: before[0] })
        expect(result.previous).toMatchObject({ status, replacedBy: null, expiresAt: null })
        expect(await allKeys()).toEqual(before)
      },
    )

    it('changes nothing and stores no second replacement for a key rotated already', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      await store().rotateApiKey('lk_one', makeReplacement(), at(60_000))
      const before = await allKeys()
      const again = makeReplacement({ id: 'lk_again', createdAt: at(2000) })
      const result = await store().rotateApiKey('lk_one', again, at(1))
      expect(result).toEqual({ rotated: false, previous: before[0] })
      expect(result.previous).toMatchObject({ replacedBy: 'lk_two', expiresAt: at(60_000) })
      expect(await store().getApiKey(again.id)).toBeUndefined()
      expect(await allKeys()).toEqual(before)
    })

    it('throws for a replacement whose id is taken, and changes neither key', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      await store().insertApiKey(makeReplacement({ name: 'existing' }))
      const before = await allKeys()
      await expect(async () => store().rotateApiKey('lk_one', makeReplacement(), at(60_000))).rejects.toThrow()
      expect(await allKeys()).toEqual(before)
      // Still rotatable: the failed attempt left no link behind.
      const fresh = makeReplacement({ id: 'lk_fresh' })
      expect(await store().rotateApiKey('lk_one', fresh, at(60_000))).toMatchObject({ rotated: true })
    })

    it('throws for a replacement whose account does not exist, and changes nothing', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      const before = await allKeys()
      const orphan = makeReplacement({ accountId: 'acct_unknown' })
      await expect(async () => store().rotateApiKey('lk_one', orphan, at(60_000))).rejects.toThrow()
      expect(await allKeys()).toEqual(before)
    })

    it('lets exactly one of 16 rotations of one key win when they race on two connections', async () => {
      const instances: [KeyStore, KeyStore] = [store(), connect ? await connect() : store()]
      const on = (index: number) => instances[index % 2] as KeyStore
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      // Reads at once first, so that a store with a pool has its connections open and the rotations
      // below reach the database together rather than one connection set-up apart.
      await Promise.all(Array.from({ length: 16 }, async (_, index) => on(index).findApiKey('lk_one')))
      const results = await Promise.all(
        Array.from({ length: 16 }, async (_, index) =>
          on(index).rotateApiKey('lk_one', makeReplacement({ id: `lk_r${index}` }), at(60_000 + index)),
        ),
      )
      const winners = results.filter((result) => result.rotated)
      expect(winners).toHaveLength(1)
      const winner = winners[0]?.rotated ? winners[0].replacement : undefined
      const keys = await allKeys()
      expect(keys.map((key) => key.id).sort()).toEqual(['lk_one', winner?.id].sort())
      expect(keys.find((key) => key.id === 'lk_one')).toMatchObject({ replacedBy: winner?.id })
      expect(await instances[1].getApiKey(winner?.id ?? '')).toMatchObject({ replaces: 'lk_one' })
      // Every loser saw the key as the winner left it.
      for (const result of results.filter((each) => !each.rotated)) {
        expect(result.previous?.replacedBy).toBe(winner?.id)
      }
    })
  })
}
