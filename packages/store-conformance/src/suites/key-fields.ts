import type { ApiKeyRecord } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { at, makeAccount, makeApiKey, richMetadata } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** The new key fields: name, description, metadata, expiry and rotation links, read back by every read. */
export function describeKeyFields({ store }: ConformanceHarness): void {
  /** What each read of the store answers for key `id`. */
  async function readsOf(id: string) {
    return {
      get: await store().getApiKey(id),
      list: (await store().listApiKeys()).find((key) => key.id === id),
      listOfAccount: (await store().listApiKeys({ accountId: 'acct_one' })).find((key) => key.id === id),
      find: await store().findApiKey(id),
    }
  }

  /** Expects every read of `key`'s id to answer `key` as it was given. */
  async function expectReadBack(key: ApiKeyRecord): Promise<void> {
    const reads = await readsOf(key.id)
    expect(reads.get).toEqual(key)
    expect(reads.list).toEqual(key)
    expect(reads.listOfAccount).toEqual(key)
    expect(reads.find).toEqual({ ...key, accountStatus: 'enabled' })
  }

  describe('API key names, descriptions, metadata, expiry and rotation links', () => {
    it('reads back a key made afresh with no name, description, expiry or links, and {} metadata', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      for (const read of Object.values(await readsOf('lk_one'))) {
        expect(read).toMatchObject({
          name: null,
          description: null,
          metadata: {},
          expiresAt: null,
          replaces: null,
          replacedBy: null,
        })
      }
    })

    it('round-trips a unicode name, a description and nested metadata through insert, get, list and findApiKey', async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey({
        name: 'Staging — ключ 漢字 🔑',
        description: 'Used by the "nightly" job\nOwner: ops@acme.test \\ team',
        metadata: richMetadata,
      })
      await store().insertApiKey(key)
      await expectReadBack(key)
      expect((await store().findApiKey(key.id))?.metadata).toStrictEqual(richMetadata)
    })

    it.each([
      ['no expiry', null],
      ['an expiry to the millisecond', at(86_400_123)],
      ['an expiry in the past', new Date('1999-12-31T23:59:59.999Z')],
      ['a distant expiry', new Date('2100-01-01T00:00:00.001Z')],
    ])('round-trips %s as null or a Date', async (_, expiresAt: Date | null) => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey({ expiresAt })
      await store().insertApiKey(key)
      await expectReadBack(key)
      const found = await store().findApiKey(key.id)
      if (expiresAt === null) expect(found?.expiresAt).toBeNull()
      else {
        expect(found?.expiresAt).toBeInstanceOf(Date)
        expect(found?.expiresAt?.getTime()).toBe(expiresAt.getTime())
      }
    })

    it('round-trips the rotation links of an imported key as they were given', async () => {
      await store().insertAccount(makeAccount())
      const rotated = makeApiKey({ id: 'lk_old', replacedBy: 'lk_new', expiresAt: at(5000) })
      const replacement = makeApiKey({ id: 'lk_new', replaces: 'lk_old', createdAt: at(1) })
      await store().insertApiKey(rotated)
      await store().insertApiKey(replacement)
      await expectReadBack(rotated)
      await expectReadBack(replacement)
    })

    it('keeps each key its own fields when several keys are listed', async () => {
      await store().insertAccount(makeAccount())
      const keys = Array.from({ length: 5 }, (_, index) =>
        makeApiKey({
          id: `lk_${index}`,
          createdAt: at(index),
          name: index % 2 === 0 ? `key ${index}` : null,
          metadata: { index, even: index % 2 === 0 },
          expiresAt: index % 2 === 0 ? at(10_000 + index) : null,
        }),
      )
      for (const key of [...keys].reverse()) await store().insertApiKey(key)
      expect(await store().listApiKeys()).toEqual(keys)
    })
  })
}
