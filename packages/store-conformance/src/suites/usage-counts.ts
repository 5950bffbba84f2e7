import {
  type Awaitable,
  hourOf,
  type KeyStore,
  type UsageCount,
  type UsageFilter,
  type UsageOutcome,
  type UsageRow,
} from '@latchkey/verifier'
import { describe, expect, it, type TestContext } from 'vitest'
import { listen } from '../announcements.js'
import { at, makeAccount, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/** The usage methods of any store. */
interface Usage {
  record(store: KeyStore, counts: readonly UsageCount[], retainFrom?: Date): Awaitable<void>
  list(store: KeyStore, filter: UsageFilter): Awaitable<UsageRow[]>
}

/** The usage methods; skips the test when the store under test lacks them. */
function usageOf(store: KeyStore, context: TestContext): Usage {
  if (!store.recordUsage || !store.listUsage) context.skip('the store has no recordUsage and listUsage')
  return {
    record(each, counts, retainFrom = hours[0]) {
      if (!each.recordUsage) throw new Error('The store has no recordUsage.')
      return each.recordUsage(counts, retainFrom)
    },
    list(each, filter) {
      if (!each.listUsage) throw new Error('The store has no listUsage.')
      return each.listUsage(filter)
    },
  }
}

/** Four consecutive UTC hours from the fixtures' epoch. */
const hours = [0, 1, 2, 3].map((index) => hourOf(at(index * 3_600_000).getTime())) as [Date, Date, Date, Date]

const count = (keyId: string, hour: Date, outcome: UsageOutcome, n = 1): UsageCount => ({
  keyId,
  hour,
  outcome,
  count: n,
})
const row = (accountId: string, keyId: string, hour: Date, outcome: UsageOutcome, n = 1): UsageRow => ({
  ...count(keyId, hour, outcome, n),
  accountId,
})

/** `acct_one` with keys `lk_a` and `lk_b`, `acct_two` with `lk_c`. */
async function insertKeys(store: KeyStore): Promise<void> {
  await store.insertAccount(makeAccount())
  await store.insertAccount(makeAccount({ id: 'acct_two', createdAt: at(1) }))
  await store.insertApiKey(makeApiKey({ id: 'lk_a' }))
  await store.insertApiKey(makeApiKey({ id: 'lk_b' }))
  await store.insertApiKey(makeApiKey({ id: 'lk_c', accountId: 'acct_two' }))
}

/** Usage counts: summed per key, hour and outcome, listed by key or account in order, and forgotten after retention. */
export function describeUsageCounts({ store, reopen, connect }: ConformanceHarness): void {
  describe('usage counts', () => {
    it('adds counts of one key, hour and outcome, within a batch and across batches, recording the account', async (context) => {
      const usage = usageOf(store(), context)
      await insertKeys(store())
      await usage.record(store(), [count('lk_a', hours[0], 'served', 3), count('lk_a', hours[0], 'served', 4)])
      await usage.record(store(), [count('lk_a', hours[0], 'served', 2)])
      expect(await usage.list(store(), { keyId: 'lk_a', since: hours[0] })).toEqual([
        row('acct_one', 'lk_a', hours[0], 'served', 9),
      ])
    })

    it('lists by hour, then key id, then outcome, for a key or for every key of an account', async (context) => {
      const usage = usageOf(store(), context)
      await insertKeys(store())
      await usage.record(store(), [
        count('lk_b', hours[0], 'served'),
        count('lk_a', hours[1], 'refused', 2),
        count('lk_c', hours[0], 'served', 5),
        count('lk_a', hours[0], 'served', 3),
        count('lk_a', hours[0], 'rate_limited', 4),
        count('lk_b', hours[0], 'credits_exhausted', 6),
      ])
      expect(await usage.list(store(), { accountId: 'acct_one', since: hours[0] })).toEqual([
        row('acct_one', 'lk_a', hours[0], 'rate_limited', 4),
        row('acct_one', 'lk_a', hours[0], 'served', 3),
        row('acct_one', 'lk_b', hours[0], 'credits_exhausted', 6),
        row('acct_one', 'lk_b', hours[0], 'served'),
        row('acct_one', 'lk_a', hours[1], 'refused', 2),
      ])
      expect(await usage.list(store(), { keyId: 'lk_a', since: hours[0] })).toEqual([
        row('acct_one', 'lk_a', hours[0], 'rate_limited', 4),
        row('acct_one', 'lk_a', hours[0], 'served', 3),
        row('acct_one', 'lk_a', hours[1], 'refused', 2),
      ])
      expect(await usage.list(store(), { accountId: 'acct_two', since: hours[0] })).toEqual([
        row('acct_two', 'lk_c', hours[0], 'served', 5),
      ])
    })

    it('lists only hours at or after since', async (context) => {
      const usage = usageOf(store(), context)
      await insertKeys(store())
      await usage.record(
        store(),
        hours.map((hour) => count('lk_a', hour, 'served')),
      )
      const since = (hour: Date, offset = 0) => ({ keyId: 'lk_a', since: new Date(hour.getTime() + offset) })
      expect((await usage.list(store(), since(hours[2]))).map((each) => each.hour)).toEqual([hours[2], hours[3]])
      expect((await usage.list(store(), since(hours[1], 1))).map((each) => each.hour)).toEqual([hours[2], hours[3]])
      expect((await usage.list(store(), since(hours[1], -1))).map((each) => each.hour)).toEqual(hours.slice(1))
      expect(await usage.list(store(), since(hours[3], 1))).toEqual([])
    })

    it('skips counts of unknown key ids and keeps the rest of the batch', async (context) => {
      const usage = usageOf(store(), context)
      await insertKeys(store())
      await usage.record(store(), [count('lk_unknown', hours[0], 'refused', 7), count('lk_b', hours[0], 'served')])
      expect(await usage.list(store(), { keyId: 'lk_unknown', since: hours[0] })).toEqual([])
      expect(await usage.list(store(), { accountId: 'acct_one', since: hours[0] })).toEqual([
        row('acct_one', 'lk_b', hours[0], 'served'),
      ])
      expect(await usage.list(store(), { accountId: 'acct_unknown', since: hours[0] })).toEqual([])
    })

    it('forgets the counts of every key whose hour is before retainFrom, and keeps the hour at it', async (context) => {
      const usage = usageOf(store(), context)
      await insertKeys(store())
      await usage.record(store(), [
        ...hours.map((hour) => count('lk_a', hour, 'served')),
        ...hours.map((hour) => count('lk_c', hour, 'refused')),
      ])
      await usage.record(store(), [count('lk_b', hours[3], 'served')], hours[2])
      expect((await usage.list(store(), { keyId: 'lk_a', since: hours[0] })).map((each) => each.hour)).toEqual(
        hours.slice(2),
      )
      expect((await usage.list(store(), { accountId: 'acct_two', since: hours[0] })).map((each) => each.hour)).toEqual(
        hours.slice(2),
      )
      // A count arriving late for an hour already forgotten is forgotten with it.
      await usage.record(store(), [count('lk_a', hours[0], 'served')], hours[2])
      expect((await usage.list(store(), { keyId: 'lk_a', since: hours[0] }))[0]?.hour).toEqual(hours[2])
    })

    it('keeps every count of 20 batches recorded at once, on two connections when it can', async (context) => {
      const usage = usageOf(store(), context)
      await insertKeys(store())
      const instances = [store(), connect ? await connect() : store()] as const
      await Promise.all(
        Array.from({ length: 20 }, async (_, index) =>
          usage.record(instances[index % 2] as KeyStore, [
            count('lk_a', hours[0], 'served', index + 1),
            count('lk_b', hours[1], 'rate_limited'),
          ]),
        ),
      )
      expect(await usage.list(instances[1], { accountId: 'acct_one', since: hours[0] })).toEqual([
        row('acct_one', 'lk_a', hours[0], 'served', 210),
        row('acct_one', 'lk_b', hours[1], 'rate_limited', 20),
      ])
    })

    it('announces no usage and keeps its change version', async (context) => {
      const usage = usageOf(store(), context)
      const listener = await listen(store())
      if (!listener) return context.skip('the store has neither watch nor changeVersion')
      try {
        await insertKeys(store())
        await listener.reset('lk_c')
        await usage.record(store(), [count('lk_a', hours[0], 'served'), count('lk_c', hours[1], 'refused')])
        await listener.unannounced('lk_a', 'lk_c', 'acct_one', 'acct_two')
      } finally {
        listener.close()
      }
    })

    it.runIf(reopen !== undefined)('keeps usage counts across a reopen', async (context) => {
      const usage = usageOf(store(), context)
      await insertKeys(store())
      await usage.record(store(), [count('lk_a', hours[1], 'credits_exhausted', 12)])
      const reopened = (await reopen?.()) as KeyStore
      expect(await usage.list(reopened, { keyId: 'lk_a', since: hours[0] })).toEqual([
        row('acct_one', 'lk_a', hours[1], 'credits_exhausted', 12),
      ])
    })
  })
}
