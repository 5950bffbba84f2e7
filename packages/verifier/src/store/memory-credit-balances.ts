import { type CreditSpend, creditsAt, type KeyCredits } from '../usage-limits/credits.js'

/**
 * The credit balances of a {@link MemoryKeyStore}, apart from the keys: a key made by rotation points
 * to the balance of the key it replaced, so both spend from one balance. Internal.
 */
export class MemoryCreditBalances {
  /** By balance id (the id of the first key that had it). */
  readonly #balances = new Map<string, KeyCredits>()
  /** By key id: the id of the balance the key spends from. */
  readonly #balanceOf = new Map<string, string>()

  /** The credits key `keyId` spends from, or `undefined` when it is not metered. */
  of(keyId: string): KeyCredits | undefined {
    const balance = this.#balanceOf.get(keyId)
    return balance === undefined ? undefined : this.#balances.get(balance)
  }

  /**
   * Sets the credits of key `keyId` (the shared balance, when it shares one); `null` stops metering
   * the key, and forgets the balance once no key spends from it.
   */
  set(keyId: string, credits: KeyCredits | null): void {
    const balance = this.#balanceOf.get(keyId)
    if (credits === null) {
      this.#balanceOf.delete(keyId)
      if (balance !== undefined && ![...this.#balanceOf.values()].includes(balance)) this.#balances.delete(balance)
      return
    }
    const id = balance ?? keyId
    this.#balanceOf.set(keyId, id)
    this.#balances.set(id, copyOf(credits))
  }

  /** Has key `keyId` spend from the balance of `previousId`; `false` when that key is not metered. */
  share(keyId: string, previousId: string): boolean {
    const balance = this.#balanceOf.get(previousId)
    if (balance === undefined) return false
    this.#balanceOf.set(keyId, balance)
    return true
  }

  /** {@link KeyStore.spendCredits}: synchronous, so nothing comes between the refill, the check and the write. */
  spend(keyId: string, cost: number, now: Date): CreditSpend | undefined {
    const balance = this.#balanceOf.get(keyId)
    const stored = balance === undefined ? undefined : this.#balances.get(balance)
    if (balance === undefined || !stored) return undefined
    const current = creditsAt(stored, now)
    const spent = current.remaining >= cost
    const after = spent ? { ...current, remaining: current.remaining - cost } : current
    if (after !== stored) this.#balances.set(balance, after)
    return { spent, remaining: after.remaining, refillsAt: after.refillsAt }
  }
}

function copyOf(credits: KeyCredits): KeyCredits {
  return {
    remaining: credits.remaining,
    refill: credits.refill && { amount: credits.refill.amount, interval: credits.refill.interval },
    refillsAt: credits.refillsAt && new Date(credits.refillsAt),
  }
}
