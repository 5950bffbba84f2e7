import { randomBase62 } from '../lib/random.js'
import type { Account, AccountChanges, AccountStatus, Metadata } from '../store/key-store.js'
import type { RateLimit } from '../usage-limits/rate-limit.js'
import { checkAccountName, checkMetadata } from './field-rules.js'
import { checkRateLimits } from './limit-rules.js'
import { assertKeptLimits } from './limit-support.js'
import { accountNotFound, type ManagerContext, requireAccount } from './manager-context.js'

/** Account ids start with this. */
export const ACCOUNT_ID_PREFIX = 'acct_'

/** Options of {@link KeyManager.createAccount}. */
export interface CreateAccountOptions {
  /** A display name; 1 to 200 characters after trimming, no control characters. */
  readonly name: string
  /** A contact address; stored as given. Default: none (`null`). */
  readonly email?: string | undefined
  /**
   * What the API provider keeps beside the account: a JSON object of at most 4096 bytes as JSON
   * (`MAX_METADATA_BYTES`), nested at most 16 levels. Default: `{}`.
   */
  readonly metadata?: Metadata | undefined
}

/** Options of {@link KeyManager.updateAccount}: a field left out (or `undefined`) keeps its value. */
export interface UpdateAccountOptions {
  /** A new display name, by the rules of {@link CreateAccountOptions.name}. Default: unchanged. */
  readonly name?: string | undefined
  /** A new contact address, or `null` to remove it. Default: unchanged. */
  readonly email?: string | null | undefined
  /**
   * New metadata, replacing the whole object (`{}` removes it all), by the rules of
   * {@link CreateAccountOptions.metadata}. Default: unchanged.
   */
  readonly metadata?: Metadata | undefined
  /**
   * New rate limits shared by all the account's keys (every request of any of them counts against
   * each), replacing the old ones; `[]` removes them. At most 8 (`MAX_RATE_LIMITS`), each a count
   * from 1 to 1,000,000,000 per a window of 1 s to 31 days, no two with the same window.
   * Default: unchanged.
   */
  readonly rateLimits?: readonly RateLimit[] | undefined
}

/** Creates an enabled account. */
export async function createAccount(context: ManagerContext, options: CreateAccountOptions): Promise<Account> {
  const account: Account = {
    id: ACCOUNT_ID_PREFIX + randomBase62(20),
    name: checkAccountName(options.name),
    email: options.email ?? null,
    status: 'enabled',
    createdAt: context.now(),
    metadata: options.metadata === undefined ? {} : checkMetadata(options.metadata),
  }
  await context.store.insertAccount(account)
  return account
}

/** Changes an account's name, email, metadata or rate limits; every field is checked before anything is written. */
export async function updateAccount(
  context: ManagerContext,
  id: string,
  options: UpdateAccountOptions,
): Promise<Account> {
  const changes: { -readonly [K in keyof AccountChanges]: AccountChanges[K] } = {}
  if (options.name !== undefined) changes.name = checkAccountName(options.name)
  if (options.email !== undefined) changes.email = options.email
  if (options.metadata !== undefined) changes.metadata = checkMetadata(options.metadata)
  if (options.rateLimits !== undefined) changes.rateLimits = checkRateLimits(options.rateLimits, 'account')
  if (Object.keys(changes).length === 0) return requireAccount(context, id)
  const account = await context.store.updateAccount(id, changes)
  if (!account) throw accountNotFound(id)
  assertKeptLimits(account, changes)
  return account
}

/** Sets an account's status; disabling shuts out all its keys and their tokens at once. */
export async function setAccountStatus(context: ManagerContext, id: string, status: AccountStatus): Promise<Account> {
  const account = await context.store.setAccountStatus(id, status)
  if (!account) throw accountNotFound(id)
  return account
}
