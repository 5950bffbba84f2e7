import { type CreditSpend, type KeyCredits, nextRefill } from '@latchkey/verifier'
import type { Database, Statement } from 'better-sqlite3'
import { type CreditBalanceRow, creditsToRow } from './limit-rows.js'

/** The parameters of a spend: the key, the cost, and the instants a due refill moves to. */
interface SpendParameters {
  id: string
  cost: number
  now: number
  next_day: number
  next_month: number
}

/** What a spend leaves of a balance. */
interface BalanceState {
  remaining: number
  refills_at: number | null
}

/** The balance key `id` names. */
const balanceOfKey = '(SELECT credit_balance_id FROM api_keys WHERE id = @id)'

/** Whether the balance's refill is due at `@now`: the `creditsAt` rule, in SQL. */
const due = '(refill_amount IS NOT NULL AND refills_at IS NOT NULL AND refills_at <= @now)'

/** The credits the balance holds at `@now`, refilled when due. */
const available = `(CASE WHEN ${due} THEN refill_amount ELSE remaining END)`

/** Where a due refill moves `refills_at` to: `nextRefill` of the balance's interval, computed by the caller. */
const movedRefill = `(CASE WHEN ${due} THEN (CASE refill_interval WHEN 'day' THEN @next_day ELSE @next_month END) ELSE refills_at END)`

/**
 * The queries on `credit_balances`. A key's credits live in the balance its `credit_balance_id`
 * names; a rotation replacement names the balance of the key it replaced, so both spend from one.
 */
export class CreditQueries {
  readonly #insert: Statement<[CreditBalanceRow], number>
  readonly #balanceOf: Statement<[string], { id: number | null }>
  readonly #setBalance: Statement<[CreditBalanceRow & { id: number }]>
  readonly #link: Statement<[{ id: string; balance: number | null }]>
  readonly #dropUnused: Statement<[{ balance: number }]>
  readonly #spend: Statement<[SpendParameters], BalanceState>
  readonly #slowSpend: (parameters: SpendParameters) => CreditSpend | undefined

  constructor(db: Database) {
    this.#insert = db
      .prepare<[CreditBalanceRow], number>(
        `INSERT INTO credit_balances (remaining, refill_amount, refill_interval, refills_at)
         VALUES (@remaining, @refill_amount, @refill_interval, @refills_at) RETURNING id`,
      )
      .pluck()
    this.#balanceOf = db.prepare<[string], { id: number | null }>(
      'SELECT credit_balance_id AS id FROM api_keys WHERE id = ?',
    )
    this.#setBalance = db.prepare<[CreditBalanceRow & { id: number }]>(
      `UPDATE credit_balances SET remaining = @remaining, refill_amount = @refill_amount,
         refill_interval = @refill_interval, refills_at = @refills_at WHERE id = @id`,
    )
    this.#link = db.prepare<[{ id: string; balance: number | null }]>(
      'UPDATE api_keys SET credit_balance_id = @balance WHERE id = @id',
    )
    this.#dropUnused = db.prepare<[{ balance: number }]>(
      `DELETE FROM credit_balances WHERE id = @balance
         AND NOT EXISTS (SELECT 1 FROM api_keys WHERE credit_balance_id = @balance)`,
    )
    // One statement, so atomic against every connection and process: the WHERE clause grants the
    // cost only while it is available, and SET reads the row as it was before this UPDATE, so the
    // refill and the spend land together.
    this.#spend = db.prepare<[SpendParameters], BalanceState>(
      `UPDATE credit_balances SET remaining = ${available} - @cost, refills_at = ${movedRefill}
       WHERE id = ${balanceOfKey} AND ${available} >= @cost RETURNING remaining, refills_at`,
    )
    const refill = db.prepare<[SpendParameters], BalanceState>(
      `UPDATE credit_balances SET remaining = refill_amount, refills_at = ${movedRefill}
       WHERE id = ${balanceOfKey} AND ${due} RETURNING remaining, refills_at`,
    )
    const read = db.prepare<[SpendParameters], BalanceState>(
      `SELECT remaining, refills_at FROM credit_balances WHERE id = ${balanceOfKey}`,
    )
    // Refused, or no balance: IMMEDIATE, so the answer (and a due refill) is of one state of the row.
    this.#slowSpend = db.transaction((parameters: SpendParameters): CreditSpend | undefined => {
      const spent = this.#spend.get(parameters)
      if (spent) return toSpend(true, spent)
      const state = refill.get(parameters) ?? read.get(parameters)
      return state && toSpend(false, state)
    }).immediate
  }

  /** Stores a new balance holding `credits`; returns its id. */
  insert(credits: KeyCredits): number {
    return this.#insert.get(creditsToRow(credits)) as number
  }

  /**
   * Sets the credits of key `id`: the balance it names (shared with its rotation chain), a new one
   * when it names none, or, for `null`, none, dropping a balance no key names any more. Call it in
   * a transaction.
   */
  set(id: string, credits: KeyCredits | null): void {
    const balance = this.#balanceOf.get(id)?.id ?? null
    if (credits === null) {
      if (balance === null) return
      this.#link.run({ id, balance: null })
      this.#dropUnused.run({ balance })
    } else if (balance === null) {
      this.#link.run({ id, balance: this.insert(credits) })
    } else {
      this.#setBalance.run({ ...creditsToRow(credits), id: balance })
    }
  }

  /** Spends `cost` of key `id`'s balance, refilled first when due at `now`; `undefined` without a balance. */
  spend(id: string, cost: number, now: Date): CreditSpend | undefined {
    const parameters: SpendParameters = {
      id,
      cost,
      now: now.getTime(),
      next_day: nextRefill('day', now).getTime(),
      next_month: nextRefill('month', now).getTime(),
    }
    // The common case, a grant, is one autocommitted statement.
    const spent = this.#spend.get(parameters)
    return spent ? toSpend(true, spent) : this.#slowSpend(parameters)
  }
}

function toSpend(spent: boolean, state: BalanceState): CreditSpend {
  return { spent, remaining: state.remaining, refillsAt: state.refills_at === null ? null : new Date(state.refills_at) }
}
