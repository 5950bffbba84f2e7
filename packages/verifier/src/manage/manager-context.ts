import { LatchkeyError } from '../errors.js'
import type { Account, ApiKeyRecord, KeyStore } from '../store/key-store.js'
import { quoteId } from './quote-id.js'

/** What every operation of the key manager runs with. */
export interface ManagerContext {
  readonly store: KeyStore
  /** The current instant. */
  now(): Date
}

/** The account `id`; `ERR_NOT_FOUND` when there is none. */
export async function requireAccount({ store }: ManagerContext, id: string): Promise<Account> {
  const account = await store.getAccount(id)
  if (!account) throw accountNotFound(id)
  return account
}

/** The account `id` when it is enabled, as a new key's account must be; else `ERR_INVALID_ARGUMENT`. */
export async function requireEnabledAccount(context: ManagerContext, id: string): Promise<Account> {
  const account = await requireAccount(context, id)
  if (account.status !== 'enabled') {
    throw new LatchkeyError('ERR_INVALID_ARGUMENT', `Account ${quoteId(account.id)} is disabled; enable it first.`)
  }
  return account
}

/** The key `id`; `ERR_NOT_FOUND` when there is none. */
export async function requireApiKey({ store }: ManagerContext, id: string): Promise<ApiKeyRecord> {
  const key = await store.getApiKey(id)
  if (!key) throw apiKeyNotFound(id)
  return key
}

/** `ERR_NOT_FOUND` for the account `id`. */
export function accountNotFound(id: string): LatchkeyError {
  return new LatchkeyError('ERR_NOT_FOUND', `No account has the id ${quoteId(id)}.`)
}

/** `ERR_NOT_FOUND` for the key `id`. */
export function apiKeyNotFound(id: string): LatchkeyError {
  return new LatchkeyError('ERR_NOT_FOUND', `No API key has the id ${quoteId(id)}.`)
}

/** `ERR_KEY_REVOKED` for the key `id`: revocation is final, so the message says what to do instead. */
export function apiKeyRevoked(id: string): LatchkeyError {
  return new LatchkeyError('ERR_KEY_REVOKED', `API key ${quoteId(id)} is revoked; create a new key instead.`)
}
