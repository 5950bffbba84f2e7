import { type KeyCredits, type KeyStore, nextRefill } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { listen } from '../announcements.js'
import { at, creditsOf, fixedCredits, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'
import { daily, day, insertKey, remainingOf, spenderOf } from './credit-fixtures.js'

/**
 * Credits: stored with the key, spent atomically and exactly by `spendCredits` (refilled first when
 * due), never announced when spent, and shared by a key and its rotation replacement.
 */
export function describeCredits({ store, reopen, connect }: ConformanceHarness): void {
  describe('credits', () => {
    it('has no credits (absent or null) for a key made without any, and spends none of it', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), null)
      expect(creditsOf(await store().getApiKey('lk_one'))).toBeNull()
      expect(creditsOf(await store().findApiKey('lk_one'))).toBeNull()
      expect(await spend(store(), 'lk_one', 1)).toBeUndefined()
      expect(await spend(store(), 'lk_unknown', 1)).toBeUndefined()
    })

    it.for<[string, KeyCredits]>([
      ['without a refill', fixedCredits(5)],
      ['with a daily refill', daily(3, 100, at(day))],
      [
        'with a monthly refill, none left',
        { remaining: 0, refill: { amount: 9, interval: 'month' }, refillsAt: at(1) },
      ],
    ])(
      'returns the credits a key was inserted with, %s, from getApiKey, listApiKeys and findApiKey',
      async ([, credits], context) => {
        spenderOf(store(), context)
        await insertKey(store(), credits)
        const key = makeApiKey({ credits })
        expect(await store().getApiKey('lk_one')).toMatchObject(key)
        expect(await store().listApiKeys()).toMatchObject([key])
        expect(creditsOf(await store().findApiKey('lk_one'))).toEqual(credits)
      },
    )

    it('takes the cost only while at least the cost is left, leaving the credits when it is not', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), fixedCredits(5))
      expect(await spend(store(), 'lk_one', 1)).toEqual({ spent: true, remaining: 4, refillsAt: null })
      expect(await spend(store(), 'lk_one', 3)).toEqual({ spent: true, remaining: 1, refillsAt: null })
      expect(await spend(store(), 'lk_one', 2)).toEqual({ spent: false, remaining: 1, refillsAt: null })
      expect(await remainingOf(store(), 'lk_one')).toEqual([1, 1])
      expect(await spend(store(), 'lk_one', 1)).toEqual({ spent: true, remaining: 0, refillsAt: null })
      expect(await spend(store(), 'lk_one', 1)).toEqual({ spent: false, remaining: 0, refillsAt: null })
      expect(creditsOf(await store().getApiKey('lk_one'))).toEqual(fixedCredits(0))
    })

    it('refills first when the refill is due at or before now, and moves the refill to the next instant after now', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), daily(0, 10, at(1000)))
      // A millisecond before the refill: none.
      expect(await spend(store(), 'lk_one', 1, at(999))).toEqual({ spent: false, remaining: 0, refillsAt: at(1000) })
      const next = nextRefill('day', at(1000))
      expect(await spend(store(), 'lk_one', 3, at(1000))).toEqual({ spent: true, remaining: 7, refillsAt: next })
      expect(creditsOf(await store().getApiKey('lk_one'))).toEqual(daily(7, 10, next))
      // Not due again until `next`.
      expect(await spend(store(), 'lk_one', 1, new Date(next.getTime() - 1))).toMatchObject({
        spent: true,
        remaining: 6,
      })
      const after = new Date(next.getTime() + 5 * day + 1)
      expect(await spend(store(), 'lk_one', 10, after)).toEqual({
        spent: true,
        remaining: 0,
        refillsAt: nextRefill('day', after),
      })
    })

    it('refills a due monthly refill even when the cost is more than the refill brings, taking none', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), { remaining: 1, refill: { amount: 2, interval: 'month' }, refillsAt: at() })
      const now = at(60_000)
      const next = nextRefill('month', now)
      expect(await spend(store(), 'lk_one', 5, now)).toEqual({ spent: false, remaining: 2, refillsAt: next })
      expect(await spend(store(), 'lk_one', 2, at(120_000))).toEqual({ spent: true, remaining: 0, refillsAt: next })
    })

    it('sets credits with updateApiKey, stops metering with null, starts again, and keeps them when left out', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), fixedCredits(1))
      const refilled = daily(40, 50, at(day))
      expect(creditsOf(await store().updateApiKey('lk_one', { credits: refilled }))).toEqual(refilled)
      expect(creditsOf(await store().findApiKey('lk_one'))).toEqual(refilled)
      expect(creditsOf(await store().updateApiKey('lk_one', { name: 'renamed' }))).toEqual(refilled)
      expect(await spend(store(), 'lk_one', 40)).toMatchObject({ spent: true, remaining: 0 })
      expect(creditsOf(await store().updateApiKey('lk_one', { credits: null }))).toBeNull()
      expect(creditsOf(await store().findApiKey('lk_one'))).toBeNull()
      expect(await spend(store(), 'lk_one', 1)).toBeUndefined()
      expect(creditsOf(await store().updateApiKey('lk_one', { credits: fixedCredits(2) }))).toEqual(fixedCredits(2))
      expect(await spend(store(), 'lk_one', 2)).toEqual({ spent: true, remaining: 0, refillsAt: null })
      expect(await store().getApiKey('lk_one')).toMatchObject({ name: 'renamed', scopes: ['read', 'write'] })
    })

    it("spends only the key it names, and leaves another key's credits", async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), fixedCredits(3))
      await store().insertApiKey(makeApiKey({ id: 'lk_two', credits: fixedCredits(3) }))
      await spend(store(), 'lk_one', 2)
      expect(await remainingOf(store(), 'lk_two')).toEqual([3, 3])
    })

    it('grants exactly 50 of 200 concurrent spends against 50 credits, on two connections when it can', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), fixedCredits(50))
      const instances = [store(), connect ? await connect() : store()] as const
      // Reads at once first, so that a store with a pool has its connections open before the race.
      await Promise.all(Array.from({ length: 16 }, async (_, index) => instances[index % 2]?.findApiKey('lk_one')))
      const spends = await Promise.all(
        Array.from({ length: 200 }, async (_, index) => spend(instances[index % 2] as KeyStore, 'lk_one', 1)),
      )
      expect(spends.filter((each) => each?.spent)).toHaveLength(50)
      expect(spends.filter((each) => each?.spent === false)).toHaveLength(150)
      expect(new Set(spends.filter((each) => each?.spent).map((each) => each?.remaining)).size).toBe(50)
      expect(await remainingOf(store(), 'lk_one')).toEqual([0, 0])
    })

    it('grants exactly 16 of 60 concurrent spends of 3 against 50 credits, leaving 2', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), fixedCredits(50))
      const instances = [store(), connect ? await connect() : store()] as const
      const spends = await Promise.all(
        Array.from({ length: 60 }, async (_, index) => spend(instances[index % 2] as KeyStore, 'lk_one', 3)),
      )
      expect(spends.filter((each) => each?.spent)).toHaveLength(16)
      expect(await remainingOf(instances[1], 'lk_one')).toEqual([2, 2])
    })

    it('announces no spend and keeps its change version, but announces credits set by updateApiKey', async (context) => {
      const spend = spenderOf(store(), context)
      const listener = await listen(store())
      if (!listener) return context.skip('the store has neither watch nor changeVersion')
      try {
        await insertKey(store(), daily(5, 5, at(1)))
        await listener.reset('lk_one')
        // Through the store itself: another connection's commit may move a version read from the file.
        await spend(store(), 'lk_one', 1, at(2))
        await spend(store(), 'lk_one', 1)
        await spend(store(), 'lk_one', 100)
        await listener.unannounced('lk_one', 'acct_one')
        await store().updateApiKey('lk_one', { credits: fixedCredits(9) })
        await listener.announced('lk_one')
      } finally {
        listener.close()
      }
    })

    it.runIf(reopen !== undefined)('keeps spent credits and a refill across a reopen', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), daily(1, 4, at(1000)))
      await store().insertApiKey(makeApiKey({ id: 'lk_two', credits: fixedCredits(3) }))
      await spend(store(), 'lk_one', 2, at(1000))
      await spend(store(), 'lk_two', 3)
      const reopened = (await reopen?.()) as KeyStore
      expect(creditsOf(await reopened.getApiKey('lk_one'))).toEqual(daily(2, 4, nextRefill('day', at(1000))))
      expect(await remainingOf(reopened, 'lk_two')).toEqual([0, 0])
      expect(await spend(reopened, 'lk_two', 1)).toEqual({ spent: false, remaining: 0, refillsAt: null })
    })

    describe('shared by rotation', () => {
      /** `lk_one` with 10 credits, rotated to `lk_two`, which a key manager gives the same credits. */
      async function rotated(): Promise<void> {
        await insertKey(store(), fixedCredits(10))
        const replacement = makeApiKey({ id: 'lk_two', createdAt: at(1), credits: fixedCredits(10) })
        const result = await store().rotateApiKey('lk_one', replacement, at(60_000))
        expect(result.rotated).toBe(true)
        expect(result.rotated && creditsOf(result.replacement)).toEqual(fixedCredits(10))
      }

      it('draws spends through the replacement and the previous key from one balance', async (context) => {
        const spend = spenderOf(store(), context)
        await rotated()
        expect(await spend(store(), 'lk_two', 3)).toMatchObject({ spent: true, remaining: 7 })
        expect(await spend(store(), 'lk_one', 2)).toMatchObject({ spent: true, remaining: 5 })
        expect(await remainingOf(store(), 'lk_one')).toEqual([5, 5])
        expect(await remainingOf(store(), 'lk_two')).toEqual([5, 5])
        expect(await spend(store(), 'lk_one', 6)).toMatchObject({ spent: false, remaining: 5 })
      })

      it('sets the shared balance with updateApiKey of either key', async (context) => {
        const spend = spenderOf(store(), context)
        await rotated()
        await store().updateApiKey('lk_one', { credits: fixedCredits(20) })
        expect(await remainingOf(store(), 'lk_two')).toEqual([20, 20])
        await store().updateApiKey('lk_two', { credits: fixedCredits(7) })
        expect(await remainingOf(store(), 'lk_one')).toEqual([7, 7])
        expect(await spend(store(), 'lk_one', 7)).toMatchObject({ spent: true, remaining: 0 })
        expect(await spend(store(), 'lk_two', 1)).toMatchObject({ spent: false, remaining: 0 })
      })

      it('shares the balance along a chain of rotations, exactly under concurrent spends of all three keys', async (context) => {
        const spend = spenderOf(store(), context)
        await rotated()
        const third = makeApiKey({ id: 'lk_three', createdAt: at(2), credits: fixedCredits(10) })
        expect(await store().rotateApiKey('lk_two', third, at(120_000))).toMatchObject({ rotated: true })
        const instances = [store(), connect ? await connect() : store()] as const
        const ids = ['lk_one', 'lk_two', 'lk_three']
        const spends = await Promise.all(
          Array.from({ length: 30 }, async (_, index) =>
            spend(instances[index % 2] as KeyStore, ids[index % 3] as string, 1),
          ),
        )
        expect(spends.filter((each) => each?.spent)).toHaveLength(10)
        for (const id of ids) expect(await remainingOf(store(), id)).toEqual([0, 0])
      })
    })
  })
}
