import type { KeyStore } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { at, creditsOf, fixedCredits, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'
import { daily, day, insertKey, remainingOf, spenderOf } from './credit-fixtures.js'

/**
 * A refill set alone (`ApiKeyChanges.creditRefill`): applied to the balance as it is when the store
 * writes, a due refill first, so that no credit spent meanwhile is handed back.
 */
export function describeCreditRefills({ store, connect }: ConformanceHarness): void {
  describe('credit refills set alone', () => {
    /** `lk_one` with 10 credits, rotated to `lk_two`, which spends from the same balance. */
    async function rotated(): Promise<void> {
      await insertKey(store(), fixedCredits(10))
      const replacement = makeApiKey({ id: 'lk_two', createdAt: at(1), credits: fixedCredits(10) })
      expect((await store().rotateApiKey('lk_one', replacement, at(60_000))).rotated).toBe(true)
    }

    it('sets a refill with creditRefill, keeping what is left (a due refill applied first), or starting an unmetered key at its amount', async (context) => {
      const spend = spenderOf(store(), context)
      const monthly = { amount: 500, interval: 'month' } as const
      await insertKey(store(), daily(10, 50, at(day)))
      await spend(store(), 'lk_one', 3)
      const change = { refill: monthly, refillsAt: at(30 * day), now: at() }
      const kept = { remaining: 7, refill: monthly, refillsAt: at(30 * day) }
      expect(creditsOf(await store().updateApiKey('lk_one', { creditRefill: change }))).toEqual(kept)
      expect(creditsOf(await store().findApiKey('lk_one'))).toEqual(kept)
      const removed = { remaining: 7, refill: null, refillsAt: null }
      const noRefill = { refill: null, refillsAt: null, now: at() }
      expect(creditsOf(await store().updateApiKey('lk_one', { creditRefill: noRefill }))).toEqual(removed)
      expect(await spend(store(), 'lk_one', 7)).toEqual({ spent: true, remaining: 0, refillsAt: null })
      // Due at `now`: refilled to the old refill's 50 first, then given the new refill.
      await store().insertApiKey(makeApiKey({ id: 'lk_two', credits: daily(5, 50, at(day)) }))
      const due = { refill: monthly, refillsAt: at(30 * day), now: at(day) }
      expect(creditsOf(await store().updateApiKey('lk_two', { creditRefill: due }))).toEqual({
        remaining: 50,
        refill: monthly,
        refillsAt: at(30 * day),
      })
      await store().insertApiKey(makeApiKey({ id: 'lk_three', credits: null }))
      expect(creditsOf(await store().updateApiKey('lk_three', { creditRefill: noRefill }))).toBeNull()
      expect(creditsOf(await store().updateApiKey('lk_three', { creditRefill: change }))).toEqual({
        remaining: 500,
        refill: monthly,
        refillsAt: at(30 * day),
      })
      expect(await spend(store(), 'lk_three', 1)).toMatchObject({ spent: true, remaining: 499 })
    })

    it('hands back no credit spent while refills are set: 40 concurrent spends among 10 refill changes leave 10 of 50', async (context) => {
      const spend = spenderOf(store(), context)
      await insertKey(store(), daily(50, 50, at(30 * day)))
      const instances = [store(), connect ? await connect() : store()] as const
      await Promise.all(Array.from({ length: 16 }, async (_, index) => instances[index % 2]?.findApiKey('lk_one')))
      const interval = (index: number) => (index % 2 === 0 ? 'day' : 'month')
      const work = Array.from({ length: 50 }, async (_, index) => {
        const instance = instances[index % 2] as KeyStore
        if (index % 5 !== 0) return spend(instance, 'lk_one', 1)
        const refill = { amount: 50, interval: interval(index / 5) } as const
        await instance.updateApiKey('lk_one', { creditRefill: { refill, refillsAt: at(30 * day), now: at() } })
        return undefined
      })
      const spends = await Promise.all(work)
      expect(spends.filter((each) => each?.spent)).toHaveLength(40)
      expect(await remainingOf(store(), 'lk_one')).toEqual([10, 10])
    })

    it("sets the shared balance's refill with creditRefill of either key, keeping what is left", async (context) => {
      const spend = spenderOf(store(), context)
      await rotated()
      await spend(store(), 'lk_one', 4)
      const refill = { amount: 30, interval: 'day' } as const
      await store().updateApiKey('lk_two', { creditRefill: { refill, refillsAt: at(day), now: at() } })
      for (const id of ['lk_one', 'lk_two']) {
        expect(creditsOf(await store().findApiKey(id))).toEqual({ remaining: 6, refill, refillsAt: at(day) })
      }
    })
  })
}
