import { type CreditSpend, creditsAt, LatchkeyError, MAX_CREDIT_COST, nextRefill } from '@latchkey/verifier'
import type pg from 'pg'
import { balanceJson, type CreditsJson, creditsOf } from './usage-limit-columns.js'

/** The balance `b` as it is at `$3` (now): refilled when a refill was due at or before it (see `creditsAt`). */
const due = `b.credits_refill_amount IS NOT NULL AND b.credits_refill_interval IS NOT NULL
  AND b.credits_refills_at <= $3::timestamptz`
const remainingNow = `CASE WHEN ${due} THEN b.credits_refill_amount ELSE b.credits_remaining END`

/**
 * The spend, as named statements (see api-key-queries.ts). `$4` and `$5` are the next daily and
 * monthly refill instants after now, computed by `nextRefill`, so that the store and the verifier
 * agree on them to the millisecond.
 */
const statements = {
  spend: {
    name: 'latchkey_v6_spend_credits',
    text: `WITH target AS (SELECT credits_balance_id AS id FROM latchkey_api_keys WHERE id = $1)
      UPDATE latchkey_api_keys AS b SET
        credits_remaining = ${remainingNow} - $2::bigint,
        credits_refills_at = CASE WHEN ${due}
          THEN CASE b.credits_refill_interval WHEN 'day' THEN $4::timestamptz ELSE $5::timestamptz END
          ELSE b.credits_refills_at END
      FROM target
      WHERE b.id = target.id AND b.credits_remaining IS NOT NULL AND ${remainingNow} >= $2::bigint
      RETURNING b.credits_remaining AS remaining, b.credits_refills_at AS refills_at`,
  },
  balance: {
    name: 'latchkey_v6_credit_balance',
    text: `SELECT ${balanceJson('b')} AS credits FROM latchkey_api_keys AS k JOIN latchkey_api_keys AS b ON b.id = k.credits_balance_id WHERE k.id = $1`,
  },
} as const

/**
 * Spends `cost` credits of the balance key `id` spends from, in one UPDATE: the refill, the check
 * and the decrement are one statement, and under READ COMMITTED a concurrent spend of the balance
 * waits for the row lock and then re-checks the WHERE clause against the row as committed. So
 * however many instances spend at once, no more than the credits are granted, and a grant is
 * committed (durable) before this resolves. When none is granted, a second read says how many are
 * left, as of after the spends that won. Changes only the columns the update trigger ignores: not
 * announced.
 */
export async function spendCredits(
  pool: pg.Pool,
  id: string,
  cost: number,
  now: Date,
): Promise<CreditSpend | undefined> {
  if (!Number.isSafeInteger(cost) || cost < 0 || cost > MAX_CREDIT_COST) {
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      `A credit cost must be a whole number from 0 to ${MAX_CREDIT_COST}; ${cost} is not.`,
    )
  }
  const { rows } = await pool.query<{ remaining: string; refills_at: Date | null }>({
    ...statements.spend,
    values: [id, cost, now, nextRefill('day', now), nextRefill('month', now)],
  })
  const spent = rows[0]
  if (spent) return { spent: true, remaining: Number(spent.remaining), refillsAt: spent.refills_at }
  const { rows: balances } = await pool.query<{ credits: CreditsJson }>({
    ...statements.balance,
    values: [id],
  })
  const credits = creditsOf(balances[0]?.credits ?? null)
  if (!credits) return undefined
  const current = creditsAt(credits, now)
  return { spent: false, remaining: current.remaining, refillsAt: current.refillsAt }
}
