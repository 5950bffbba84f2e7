import type { ApiKeyChanges, ApiKeyCredential, ApiKeyRecord, ApiKeyStatus } from '@latchkey/verifier'
import type pg from 'pg'
import { constraintError } from './constraint-error.js'
import { updateApiKeyAndCredits } from './credit-settings.js'
import {
  type ApiKeyCredentialRow,
  type ApiKeyRow,
  apiKeyColumns,
  apiKeyCredentialColumns,
  apiKeyInsertColumns,
  apiKeyValues,
  metadataToJson,
  rowToApiKey,
  rowToApiKeyCredential,
} from './rows.js'
import { setClause } from './set-clause.js'
import { rateLimitsToJson } from './usage-limit-columns.js'

/**
 * The verifier's hot paths, as named statements: `pg` prepares each once per connection, so later
 * calls send only the values. Names are versioned with the schema they were written for.
 */
const statements = {
  findApiKey: {
    name: 'latchkey_v6_find_api_key',
    text: `SELECT ${apiKeyCredentialColumns}
           FROM latchkey_api_keys AS k JOIN latchkey_accounts AS a ON a.id = k.account_id WHERE k.id = $1`,
  },
  getApiKey: {
    name: 'latchkey_v6_get_api_key',
    text: `SELECT ${apiKeyColumns} FROM latchkey_api_keys AS k WHERE k.id = $1`,
  },
} as const

/** The key with its account's status, in one read: the verifier's lookup on every request. */
export async function findApiKey(pool: pg.Pool, id: string): Promise<ApiKeyCredential | undefined> {
  const { rows } = await pool.query<ApiKeyCredentialRow>({ ...statements.findApiKey, values: [id] })
  return rows[0] && rowToApiKeyCredential(rows[0])
}

const placeholders = apiKeyInsertColumns
  .split(', ')
  .map((_, index) => `$${index + 1}`)
  .join(', ')

/**
 * Stores `key` and returns it as stored; `db` may be a transaction's client. The key holds its own
 * credit balance, unless `sharedBalance` names the key whose balance it spends from.
 *
 * @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when a key with this id exists, `ERR_NOT_FOUND`
 *   when its account does not.
 */
export async function insertApiKey(
  db: pg.Pool | pg.PoolClient,
  key: ApiKeyRecord,
  sharedBalance?: string,
): Promise<ApiKeyRecord> {
  const { rows } = await db
    .query<ApiKeyRow>(
      `INSERT INTO latchkey_api_keys AS k (${apiKeyInsertColumns}) VALUES (${placeholders}) RETURNING ${apiKeyColumns}`,
      apiKeyValues(key, sharedBalance),
    )
    .catch((error: unknown) => {
      throw constraintError(
        error,
        `An API key with the id ${JSON.stringify(key.id)} already exists.`,
        `No account has the id ${JSON.stringify(key.accountId)}; create the account before its keys.`,
      )
    })
  return rowToApiKey(rows[0] as ApiKeyRow)
}

export async function getApiKey(pool: pg.Pool, id: string): Promise<ApiKeyRecord | undefined> {
  const { rows } = await pool.query<ApiKeyRow>({ ...statements.getApiKey, values: [id] })
  return rows[0] && rowToApiKey(rows[0])
}

export async function listApiKeys(pool: pg.Pool, filter: { readonly accountId?: string }): Promise<ApiKeyRecord[]> {
  const { rows } =
    filter.accountId === undefined
      ? await pool.query<ApiKeyRow>(`SELECT ${apiKeyColumns} FROM latchkey_api_keys AS k ORDER BY k.created_at, k.id`)
      : await pool.query<ApiKeyRow>(
          `SELECT ${apiKeyColumns} FROM latchkey_api_keys AS k WHERE k.account_id = $1 ORDER BY k.created_at, k.id`,
          [filter.accountId],
        )
  return rows.map(rowToApiKey)
}

export async function setApiKeyStatus(
  pool: pg.Pool,
  id: string,
  status: ApiKeyStatus,
): Promise<ApiKeyRecord | undefined> {
  // The CASE, not a read before the write, keeps `revoked` final, and RETURNING gives the row as
  // this statement left it: a concurrent revoke is waited for (row lock) and then seen.
  const { rows } = await pool.query<ApiKeyRow>(
    `UPDATE latchkey_api_keys AS k SET status = CASE WHEN k.status = 'revoked' THEN k.status ELSE $1 END
     WHERE k.id = $2 RETURNING ${apiKeyColumns}`,
    [status, id],
  )
  return rows[0] && rowToApiKey(rows[0])
}

/**
 * Changes the fields `changes` gives, in one statement (in one transaction with credits: see
 * `updateApiKeyAndCredits`); a field left out or `undefined` keeps its value. Never status, secret,
 * account or rotation links: those have their own writes.
 */
export async function updateApiKey(
  pool: pg.Pool,
  id: string,
  changes: ApiKeyChanges,
): Promise<ApiKeyRecord | undefined> {
  const columns = [
    ['name', changes.name],
    ['description', changes.description],
    ['scopes', changes.scopes && [...changes.scopes]],
    ['metadata', changes.metadata && metadataToJson(changes.metadata)],
    ['expires_at', changes.expiresAt],
    ['rate_limits', changes.rateLimits && rateLimitsToJson(changes.rateLimits)],
  ] as const
  if (changes.credits !== undefined) return updateApiKeyAndCredits(pool, id, columns, changes.credits)
  if (changes.creditRefill) return updateApiKeyAndCredits(pool, id, columns, changes.creditRefill)
  const set = setClause(columns)
  if (!set) return getApiKey(pool, id)
  const { rows } = await pool.query<ApiKeyRow>(
    `UPDATE latchkey_api_keys AS k SET ${set.text} WHERE k.id = $${set.values.length + 1} RETURNING ${apiKeyColumns}`,
    [...set.values, id],
  )
  return rows[0] && rowToApiKey(rows[0])
}

/**
 * Moves each key's `lastUsedAt` forward, in one statement. The rows are locked in id order first,
 * so two instances flushing overlapping batches wait for each other instead of deadlocking.
 */
export async function touchApiKeys(pool: pg.Pool, uses: ReadonlyMap<string, Date>): Promise<void> {
  if (uses.size === 0) return
  await pool.query(
    `WITH used AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS u (id, at)),
          locked AS (
            SELECT k.id FROM latchkey_api_keys AS k JOIN used ON used.id = k.id ORDER BY k.id FOR UPDATE OF k
          )
     UPDATE latchkey_api_keys AS k SET last_used_at = used.at
     FROM used JOIN locked ON locked.id = used.id
     WHERE k.id = used.id AND (k.last_used_at IS NULL OR k.last_used_at < used.at)`,
    [[...uses.keys()], [...uses.values()]],
  )
}
