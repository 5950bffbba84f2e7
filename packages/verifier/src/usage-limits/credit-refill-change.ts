import { type CreditRefill, creditsAt, type KeyCredits } from './credits.js'

/**
 * A new refill for a key's credits that keeps what is left ({@link ApiKeyChanges.creditRefill}): a
 * store applies it to the balance as it is at that moment, in one step with respect to every spend,
 * so no credit spent meanwhile is handed back.
 */
export interface CreditRefillChange {
  /** The refill from now on; `null` removes it. */
  readonly refill: CreditRefill | null
  /** When `refill` is next due (`nextRefill` of its interval after `now`); `null` with `refill: null`. */
  readonly refillsAt: Date | null
  /** The writer's clock: a refill of the balance due at or before it is applied first (see `creditsAt`). */
  readonly now: Date
}

/**
 * The credits `current` becomes under `change`: what is left at `change.now` (a due refill applied),
 * with the new refill; on a key not metered (`current` absent), `refill.amount` left, or `undefined`
 * (nothing to write) when the change removes a refill it never had. Stores call it on the balance they
 * hold locked, or in a synchronous step.
 */
export function creditsWithRefill(
  current: KeyCredits | null | undefined,
  change: CreditRefillChange,
): KeyCredits | undefined {
  const { refill, refillsAt, now } = change
  if (current == null) return refill === null ? undefined : { remaining: refill.amount, refill, refillsAt }
  return { remaining: creditsAt(current, now).remaining, refill, refillsAt: refill === null ? null : refillsAt }
}
