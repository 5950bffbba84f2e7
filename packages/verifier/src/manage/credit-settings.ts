import { LatchkeyError } from '../errors.js'
import { type CreditRefillChange, creditsWithRefill } from '../usage-limits/credit-refill-change.js'
import { type CreditRefill, creditsAt, type KeyCredits, nextRefill } from '../usage-limits/credits.js'
import { checkCredits, checkRefill } from './limit-rules.js'

/** The credit options of `createApiKey` and `updateApiKey`, as given. */
export interface CreditOptions {
  readonly credits?: number | null | undefined
  readonly refill?: CreditRefill | null | undefined
}

/** {@link CreditOptions} checked: numbers in range, plain copies; `undefined` stays "not given". */
export interface CheckedCreditOptions {
  readonly credits: number | null | undefined
  readonly refill: CreditRefill | null | undefined
}

/** Checks the credit options, before anything is read or written. */
export function checkCreditOptions(options: CreditOptions): CheckedCreditOptions {
  const credits = options.credits == null ? options.credits : checkCredits(options.credits)
  const refill = options.refill == null ? options.refill : checkRefill(options.refill)
  if (credits === null && refill != null) {
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      'credits: null stops metering the key, so it cannot have a refill; give a number of credits, or no refill.',
    )
  }
  return { credits, refill }
}

/**
 * A new key's credits: `null` (not metered) when neither is given; else `credits` left (the
 * refill's amount when only a refill is given), refilled from the next refill instant after `now`.
 */
export function newKeyCredits({ credits, refill }: CheckedCreditOptions, now: Date): KeyCredits | null {
  if (refill == null) return credits == null ? null : { remaining: credits, refill: null, refillsAt: null }
  return { remaining: credits ?? refill.amount, refill, refillsAt: nextRefill(refill.interval, now) }
}

/**
 * A key's credits after an update, or `undefined` when they stay as they are:
 * - `credits: null` stops metering;
 * - `credits` alone sets what is left and keeps the refill, if any;
 * - `refill` alone sets the refill and keeps what is left, or, on a key not metered yet, starts
 *   metering it with the refill's amount; `refill: null` alone removes the refill;
 * - both set both.
 * A refill set starts at the next refill instant after `now`. What is left is computed from
 * `current` as read, with the refill that fell due applied (`creditsAt`).
 */
export function changedKeyCredits(
  { credits, refill }: CheckedCreditOptions,
  current: KeyCredits | null | undefined,
  now: Date,
): KeyCredits | null | undefined {
  if (credits === null) return null
  if (credits === undefined)
    return refill === undefined ? undefined : creditsWithRefill(current, refillChange(refill, now))
  if (refill === undefined) {
    const base = current == null ? null : creditsAt(current, now)
    return { remaining: credits, refill: base?.refill ?? null, refillsAt: base?.refillsAt ?? null }
  }
  return { remaining: credits, refill, refillsAt: refill && nextRefill(refill.interval, now) }
}

/** `refill` set alone at `now`, as a store applies it (`ApiKeyChanges.creditRefill`). */
export function refillChange(refill: CreditRefill | null, now: Date): CreditRefillChange {
  return { refill, refillsAt: refill && nextRefill(refill.interval, now), now }
}
