import type { Account, AccountChanges, AccountStatus } from '@latchkey/verifier'
import type { Database, Statement } from 'better-sqlite3'
import { constraintError } from './constraint-error.js'
import { rateLimitsToText } from './limit-rows.js'
import { type AccountRow, accountColumns, accountToRow, metadataToText, rowToAccount } from './rows.js'

/** The parameters of the account update: each `set_` flag (1 or 0) says whether its column changes. */
interface AccountUpdate {
  id: string
  set_name: number
  name: string | null
  set_email: number
  email: string | null
  set_metadata: number
  metadata: string | null
  set_rate_limits: number
  rate_limits: string | null
}

/** The queries on `accounts`, prepared once on the store's connection. */
export class AccountQueries {
  readonly #insert: Statement<[AccountRow]>
  readonly #get: Statement<[string], AccountRow>
  readonly #list: Statement<[], AccountRow>
  readonly #setStatus: Statement<[AccountStatus, string], AccountRow>
  readonly #update: Statement<[AccountUpdate], AccountRow>

  constructor(db: Database) {
    this.#insert = db.prepare<AccountRow>(
      `INSERT INTO accounts (${accountColumns}) VALUES (@id, @name, @email, @status, @created_at, @metadata, @rate_limits)`,
    )
    this.#get = db.prepare<[string], AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE id = ?`)
    this.#list = db.prepare<[], AccountRow>(`SELECT ${accountColumns} FROM accounts ORDER BY created_at, id`)
    this.#setStatus = db.prepare<[AccountStatus, string], AccountRow>(
      `UPDATE accounts SET status = ? WHERE id = ? RETURNING ${accountColumns}`,
    )
    this.#update = db.prepare<AccountUpdate, AccountRow>(
      `UPDATE accounts SET
         name = CASE WHEN @set_name THEN @name ELSE name END,
         email = CASE WHEN @set_email THEN @email ELSE email END,
         metadata = CASE WHEN @set_metadata THEN @metadata ELSE metadata END,
         rate_limits = CASE WHEN @set_rate_limits THEN @rate_limits ELSE rate_limits END
       WHERE id = @id RETURNING ${accountColumns}`,
    )
  }

  /** @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when an account with this id exists. */
  insert(account: Account): void {
    try {
      this.#insert.run(accountToRow(account))
    } catch (error) {
      throw constraintError(error, `An account with the id ${JSON.stringify(account.id)} already exists.`)
    }
  }

  get(id: string): Account | undefined {
    const row = this.#get.get(id)
    return row && rowToAccount(row)
  }

  list(): Account[] {
    return this.#list.all().map(rowToAccount)
  }

  setStatus(id: string, status: AccountStatus): Account | undefined {
    const row = this.#setStatus.get(status, id)
    return row && rowToAccount(row)
  }

  /** Changes the fields `changes` gives, in one statement; a field left out or `undefined` keeps its value. */
  update(id: string, { name, email, metadata, rateLimits }: AccountChanges): Account | undefined {
    const row = this.#update.get({
      id,
      set_name: Number(name !== undefined),
      name: name ?? null,
      set_email: Number(email !== undefined),
      email: email ?? null,
      set_metadata: Number(metadata !== undefined),
      metadata: metadata === undefined ? null : metadataToText(metadata),
      set_rate_limits: Number(rateLimits !== undefined),
      rate_limits: rateLimitsToText(rateLimits),
    })
    return row && rowToAccount(row)
  }
}
