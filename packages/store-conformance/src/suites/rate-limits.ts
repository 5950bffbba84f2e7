import type { KeyStore, RateLimit } from '@latchkey/verifier'
import { describe, expect, it, type TestContext } from 'vitest'
import { listen } from '../announcements.js'
import { at, makeAccount, makeApiKey, rateLimitsOf } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

const perSecond: RateLimit = { count: 10, window: 1 }
const perHour: RateLimit = { count: 1000, window: 3600 }
const perDay: RateLimit = { count: 5, window: 86_400 }

/** What every read of key `id` says its own limits and its account's are, through `store`. */
async function limitsRead(store: KeyStore, id: string) {
  const key = await store.getApiKey(id)
  const listed = (await store.listApiKeys()).find((each) => each.id === id)
  const found = await store.findApiKey(id)
  return {
    get: rateLimitsOf(key),
    list: rateLimitsOf(listed),
    find: rateLimitsOf(found),
    account: found?.accountRateLimits ?? [],
  }
}

/** What every read of account `id` says its limits are. */
async function accountLimitsRead(store: KeyStore, id: string) {
  const listed = (await store.listAccounts()).find((each) => each.id === id)
  return { get: rateLimitsOf(await store.getAccount(id)), list: rateLimitsOf(listed) }
}

/** The same limits from every read. */
const everywhere = (limits: readonly RateLimit[], account: readonly RateLimit[] = []) => ({
  get: limits,
  list: limits,
  find: limits,
  account,
})

/**
 * Rate limits of keys and accounts: stored and returned in order, replaced whole by updates, the
 * account's read with the key on the hot path, and every change announced.
 */
export function describeRateLimits({ store, reopen, connect }: ConformanceHarness): void {
  describe('rate limits', () => {
    it('returns no rate limits (absent or empty) for a key and an account made without any', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([]))
      expect(await accountLimitsRead(store(), 'acct_one')).toEqual({ get: [], list: [] })
    })

    it("returns a key's rate limits as stored, in order, from getApiKey, listApiKeys and findApiKey", async () => {
      await store().insertAccount(makeAccount())
      const key = makeApiKey({ rateLimits: [perHour, perSecond] })
      await store().insertApiKey(key)
      expect(await store().getApiKey(key.id)).toMatchObject(key)
      expect(await limitsRead(store(), key.id)).toEqual(everywhere([perHour, perSecond]))
    })

    it("returns an account's rate limits in order, and findApiKey carries them as accountRateLimits of each key", async () => {
      const account = makeAccount({ rateLimits: [perDay, perSecond] })
      await store().insertAccount(account)
      await store().insertAccount(makeAccount({ id: 'acct_two', createdAt: at(1) }))
      await store().insertApiKey(makeApiKey({ rateLimits: [perHour] }))
      await store().insertApiKey(makeApiKey({ id: 'lk_other', accountId: 'acct_two' }))
      expect(await store().getAccount(account.id)).toEqual(account)
      expect(await accountLimitsRead(store(), account.id)).toEqual({
        get: [perDay, perSecond],
        list: [perDay, perSecond],
      })
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([perHour], [perDay, perSecond]))
      // Another account's key carries neither.
      expect(await limitsRead(store(), 'lk_other')).toEqual(everywhere([]))
      expect(await accountLimitsRead(store(), 'acct_two')).toEqual({ get: [], list: [] })
    })

    it("replaces a key's rate limits whole with updateApiKey, removes them with [], and keeps them when left out", async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey({ rateLimits: [perSecond] }))
      expect(rateLimitsOf(await store().updateApiKey('lk_one', { rateLimits: [perDay, perHour] }))).toEqual([
        perDay,
        perHour,
      ])
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([perDay, perHour]))
      expect(rateLimitsOf(await store().updateApiKey('lk_one', { name: 'renamed' }))).toEqual([perDay, perHour])
      expect(rateLimitsOf(await store().updateApiKey('lk_one', { rateLimits: [] }))).toEqual([])
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([]))
      expect(await store().getApiKey('lk_one')).toMatchObject({ name: 'renamed', scopes: ['read', 'write'] })
    })

    it("replaces an account's rate limits whole with updateAccount, removes them with [], and findApiKey follows", async () => {
      await store().insertAccount(makeAccount({ rateLimits: [perSecond] }))
      await store().insertApiKey(makeApiKey())
      const updated = await store().updateAccount('acct_one', { rateLimits: [perHour, perDay] })
      expect(updated).toEqual(makeAccount({ rateLimits: [perHour, perDay] }))
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([], [perHour, perDay]))
      expect(rateLimitsOf(await store().updateAccount('acct_one', { name: 'Renamed' }))).toEqual([perHour, perDay])
      expect(rateLimitsOf(await store().updateAccount('acct_one', { rateLimits: [] }))).toEqual([])
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([]))
      expect(await accountLimitsRead(store(), 'acct_one')).toEqual({ get: [], list: [] })
    })

    it('stores the rate limits a rotation replacement is given, and leaves the previous key its own', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey({ rateLimits: [perSecond, perHour] }))
      const replacement = makeApiKey({ id: 'lk_two', createdAt: at(1), rateLimits: [perSecond, perHour] })
      const result = await store().rotateApiKey('lk_one', replacement, at(60_000))
      expect(result.rotated && rateLimitsOf(result.replacement)).toEqual([perSecond, perHour])
      expect(await limitsRead(store(), 'lk_two')).toEqual(everywhere([perSecond, perHour]))
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([perSecond, perHour]))
    })

    it.runIf(connect !== undefined)('shows limits written through another connection to findApiKey', async () => {
      await store().insertAccount(makeAccount())
      await store().insertApiKey(makeApiKey())
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([]))
      const other = (await connect?.()) as KeyStore
      await other.updateApiKey('lk_one', { rateLimits: [perSecond] })
      await other.updateAccount('acct_one', { rateLimits: [perDay] })
      expect(await limitsRead(store(), 'lk_one')).toEqual(everywhere([perSecond], [perDay]))
    })

    it.runIf(reopen !== undefined)('keeps the limits of keys and accounts across a reopen', async () => {
      await store().insertAccount(makeAccount({ rateLimits: [perDay] }))
      await store().insertApiKey(makeApiKey({ rateLimits: [perHour, perSecond] }))
      const reopened = (await reopen?.()) as KeyStore
      expect(await limitsRead(reopened, 'lk_one')).toEqual(everywhere([perHour, perSecond], [perDay]))
    })

    describe('announcing limit changes', () => {
      /** The test's store listening, and another connection (or the store itself) writing. */
      async function setUp(context: TestContext) {
        const listener = await listen(store())
        if (!listener) return context.skip('the store has neither watch nor changeVersion')
        const writer = connect ? await connect() : store()
        await writer.insertAccount(makeAccount({ rateLimits: [perHour] }))
        await writer.insertApiKey(makeApiKey({ rateLimits: [perDay] }))
        await listener.reset('lk_one')
        return { listener, writer }
      }

      it.for<[string, readonly RateLimit[]]>([
        ['set', [perSecond, perHour]],
        ['removed', []],
      ])("announces a key's rate limits %s by the key id", async ([, limits], context) => {
        const { listener, writer } = await setUp(context)
        try {
          await writer.updateApiKey('lk_one', { rateLimits: limits })
          await listener.announced('lk_one')
        } finally {
          listener.close()
        }
      })

      it("announces an account's rate limits set by the account id", async (context) => {
        const { listener, writer } = await setUp(context)
        try {
          await writer.updateAccount('acct_one', { rateLimits: [perDay] })
          await listener.announcedAccount('acct_one')
        } finally {
          listener.close()
        }
      })
    })
  })
}
