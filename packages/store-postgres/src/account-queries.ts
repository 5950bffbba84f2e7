import type { Account, AccountChanges, AccountStatus } from '@latchkey/verifier'
import type pg from 'pg'
import { constraintError } from './constraint-error.js'
import { type AccountRow, accountColumns, metadataToJson, rowToAccount } from './rows.js'
import { setClause } from './set-clause.js'
import { rateLimitsToJson } from './usage-limit-columns.js'

/**
 * A hot path of the verifier, as a named statement: `pg` prepares it once per connection, so later
 * calls send only the values. The name is versioned with the schema it was written for.
 */
const getAccountStatement = {
  name: 'latchkey_v6_get_account',
  text: `SELECT ${accountColumns} FROM latchkey_accounts WHERE id = $1`,
} as const

/** @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when an account with this id exists. */
export async function insertAccount(pool: pg.Pool, account: Account): Promise<void> {
  await pool
    .query(`INSERT INTO latchkey_accounts (${accountColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      account.id,
      account.name,
      account.email,
      account.status,
      account.createdAt,
      metadataToJson(account.metadata),
      rateLimitsToJson(account.rateLimits),
    ])
    .catch((error: unknown) => {
      throw constraintError(error, `An account with the id ${JSON.stringify(account.id)} already exists.`)
    })
}

export async function getAccount(pool: pg.Pool, id: string): Promise<Account | undefined> {
  const { rows } = await pool.query<AccountRow>({ ...getAccountStatement, values: [id] })
  return rows[0] && rowToAccount(rows[0])
}

export async function listAccounts(pool: pg.Pool): Promise<Account[]> {
  const { rows } = await pool.query<AccountRow>(
    `SELECT ${accountColumns} FROM latchkey_accounts ORDER BY created_at, id`,
  )
  return rows.map(rowToAccount)
}

export async function setAccountStatus(pool: pg.Pool, id: string, status: AccountStatus): Promise<Account | undefined> {
  const { rows } = await pool.query<AccountRow>(
    `UPDATE latchkey_accounts SET status = $1 WHERE id = $2 RETURNING ${accountColumns}`,
    [status, id],
  )
  return rows[0] && rowToAccount(rows[0])
}

/** Changes the fields `changes` gives (rate limits replaced whole), in one statement; a field left out or `undefined` keeps its value. */
export async function updateAccount(pool: pg.Pool, id: string, changes: AccountChanges): Promise<Account | undefined> {
  const set = setClause([
    ['name', changes.name],
    ['email', changes.email],
    ['metadata', changes.metadata === undefined ? undefined : metadataToJson(changes.metadata)],
    ['rate_limits', changes.rateLimits && rateLimitsToJson(changes.rateLimits)],
  ])
  if (!set) return getAccount(pool, id)
  const { rows } = await pool.query<AccountRow>(
    `UPDATE latchkey_accounts SET ${set.text} WHERE id = $${set.values.length + 1} RETURNING ${accountColumns}`,
    [...set.values, id],
  )
  return rows[0] && rowToAccount(rows[0])
}
