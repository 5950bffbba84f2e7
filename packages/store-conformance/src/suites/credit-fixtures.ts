// What the credit suites share: a spender for any store, daily credits, the key they start from.
import type { Awaitable, CreditSpend, KeyCredits, KeyStore } from '@latchkey/verifier'
import type { TestContext } from 'vitest'
import { at, creditsOf, makeAccount, makeApiKey } from '../fixtures.js'

export type Spend = (store: KeyStore, id: string, cost: number, now?: Date) => Awaitable<CreditSpend | undefined>

/** Spends through any store's `spendCredits`; skips the test when the store under test has none. */
export function spenderOf(store: KeyStore, context: TestContext): Spend {
  if (!store.spendCredits) context.skip('the store has no spendCredits: it cannot meter credits')
  return (each, id, cost, now = at()) => {
    const { spendCredits } = each
    if (!spendCredits) throw new Error('The store has no spendCredits.')
    return spendCredits.call(each, id, cost, now)
  }
}

export const day = 86_400_000

/** Credits refilled to `amount` every day, next at `refillsAt`. */
export const daily = (remaining: number, amount: number, refillsAt: Date): KeyCredits => ({
  remaining,
  refill: { amount, interval: 'day' },
  refillsAt,
})

/** Stores the account and key `lk_one` with `credits`. */
export async function insertKey(store: KeyStore, credits: KeyCredits | null): Promise<void> {
  await store.insertAccount(makeAccount())
  await store.insertApiKey(makeApiKey({ credits }))
}

/** What `getApiKey` and `findApiKey` say is left of key `id`'s credits. */
export async function remainingOf(store: KeyStore, id: string): Promise<[number | undefined, number | undefined]> {
  return [creditsOf(await store.getApiKey(id))?.remaining, creditsOf(await store.findApiKey(id))?.remaining]
}
