import type { Account, AccountStatus } from '@latchkey/verifier'
import type { Database, Statement } from 'better-sqlite3'
import { constraintError } from './constraint-error.js'
import { type AccountRow, accountToRow, rowToAccount } from './rows.js'

const accountColumns = 'id, name, email, status, created_at'

/** The queries on `accounts`, prepared once on the store's connection. */
export class AccountQueries {
  readonly #insert: Statement<[AccountRow]>
  readonly #get: Statement<[string], AccountRow>
  readonly #list: Statement<[], AccountRow>
  readonly #setStatus: Statement<[AccountStatus, string], AccountRow>

  constructor(db: Database) {
    this.#insert = db.prepare<AccountRow>(
      `INSERT INTO accounts (${accountColumns}) VALUES (@id, @name, @email, @status, @created_at)`,
    )
    this.#get = db.prepare<[string], AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE id = ?`)
    this.#list = db.prepare<[], AccountRow>(`SELECT ${accountColumns} FROM accounts ORDER BY created_at, id`)
    this.#setStatus = db.prepare<[AccountStatus, string], AccountRow>(
      `UPDATE accounts SET status = ? WHERE id = ? RETURNING ${accountColumns}`,
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
}
