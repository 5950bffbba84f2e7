import type { Account, KeyStore } from '../store/key-store.js'
import type { UsageRow } from '../usage-limits/usage-counts.js'
import {
  type CreateAccountOptions,
  createAccount,
  setAccountStatus,
  type UpdateAccountOptions,
  updateAccount,
} from './accounts.js'
import { type ImportApiKeyOptions, importApiKey } from './api-key-import.js'
import type { ApiKeyInfo, CreatedApiKey } from './api-key-info.js'
import { type ApiKeyRotation, type RotateApiKeyOptions, rotateApiKey } from './api-key-rotation.js'
import {
  type CreateApiKeyOptions,
  createApiKey,
  getApiKey,
  type ListApiKeysOptions,
  listApiKeys,
  setApiKeyStatus,
  type UpdateApiKeyOptions,
  updateApiKey,
} from './api-keys.js'
import { type ManagerContext, requireAccount } from './manager-context.js'
import { accountUsage, keyUsage, type UsageOptions } from './usage.js'

/** Options of {@link createKeyManager}. */
export interface KeyManagerOptions {
  /**
   * The clock, in ms since the epoch: what `createdAt` is, and what expiry is judged against.
   * Default: `Date.now`.
   */
  readonly now?: (() => number) | undefined
}

/**
 * Creates, changes, rotates, imports, lists, disables, enables and revokes accounts and API keys in
 * a {@link KeyStore}, sets their usage limits and reads their usage. Every method checks all its
 * arguments before it writes anything, and throws a `LatchkeyError`: `ERR_INVALID_ARGUMENT` (with a
 * message saying what is wrong), `ERR_NOT_FOUND`, or `ERR_KEY_REVOKED`. No message ever holds a
 * secret. Limits on a store that cannot keep them (one written before usage limits) are refused
 * with `ERR_INVALID_ARGUMENT` naming what the store lacks, rather than dropped.
 */
export interface KeyManager {
  createAccount(options: CreateAccountOptions): Promise<Account>
  /**
   * Changes an account's name, email, metadata (the whole object) or rate limits (all of them); a
   * field left out keeps its value.
   */
  updateAccount(id: string, options: UpdateAccountOptions): Promise<Account>
  listAccounts(): Promise<Account[]>
  getAccount(id: string): Promise<Account>
  /** Disabling an account shuts out all its keys and every token issued to them at once. */
  disableAccount(id: string): Promise<Account>
  enableAccount(id: string): Promise<Account>
  createApiKey(options: CreateApiKeyOptions): Promise<CreatedApiKey>
  /**
   * Changes a key's name, description, scopes, metadata, expiry, rate limits or credits; a field left
   * out keeps its value (see {@link UpdateApiKeyOptions.credits} for how credits and refill combine).
   * A revoked key refuses any change (`ERR_KEY_REVOKED`).
   */
  updateApiKey(id: string, options: UpdateApiKeyOptions): Promise<ApiKeyInfo>
  /**
   * Replaces a key by a new one with the same account, name, description, scopes, metadata and rate
   * limits, sharing its credits (one balance for both), and lets the old one work on for the overlap
   * (default 24 hours). Refused for a key that is revoked
   * (`ERR_KEY_REVOKED`), disabled, expired, already rotated, or of a disabled account
   * (`ERR_INVALID_ARGUMENT`). Of concurrent rotations of one key exactly one succeeds.
   */
  rotateApiKey(id: string, options?: RotateApiKeyOptions): Promise<ApiKeyRotation>
  /** Stores a key issued elsewhere with its id and its secret (or the secret's hash), so it keeps working. */
  importApiKey(options: ImportApiKeyOptions): Promise<ApiKeyInfo>
  /** Keys, oldest first; optionally of one account, or only those about to expire. */
  listApiKeys(options?: ListApiKeysOptions): Promise<ApiKeyInfo[]>
  getApiKey(id: string): Promise<ApiKeyInfo>
  /** Shuts out the key and its tokens until {@link KeyManager.enableApiKey}. */
  disableApiKey(id: string): Promise<ApiKeyInfo>
  enableApiKey(id: string): Promise<ApiKeyInfo>
  /** Shuts out the key and its tokens for good. */
  revokeApiKey(id: string): Promise<ApiKeyInfo>
  /** The key's usage counts per hour and outcome, from `since` (default: the last 24 hours). */
  keyUsage(id: string, options?: UsageOptions): Promise<UsageRow[]>
  /** The usage counts of every key of the account, per hour, key and outcome, from `since` (default: the last 24 hours). */
  accountUsage(id: string, options?: UsageOptions): Promise<UsageRow[]>
}

/** Key management over `store`, for the CLI, admin APIs and tests. */
export function createKeyManager(store: KeyStore, options: KeyManagerOptions = {}): KeyManager {
  const clock = options.now ?? Date.now
  const context: ManagerContext = { store, now: () => new Date(clock()) }
  return {
    createAccount: (account) => createAccount(context, account),
    updateAccount: (id, changes) => updateAccount(context, id, changes),
    listAccounts: async () => store.listAccounts(),
    getAccount: (id) => requireAccount(context, id),
    disableAccount: (id) => setAccountStatus(context, id, 'disabled'),
    enableAccount: (id) => setAccountStatus(context, id, 'enabled'),
    createApiKey: (key) => createApiKey(context, key),
    updateApiKey: (id, changes) => updateApiKey(context, id, changes),
    rotateApiKey: (id, rotation) => rotateApiKey(context, id, rotation),
    importApiKey: (key) => importApiKey(context, key),
    listApiKeys: (filter) => listApiKeys(context, filter),
    getApiKey: (id) => getApiKey(context, id),
    disableApiKey: (id) => setApiKeyStatus(context, id, 'disabled'),
    enableApiKey: (id) => setApiKeyStatus(context, id, 'enabled'),
    revokeApiKey: (id) => setApiKeyStatus(context, id, 'revoked'),
    keyUsage: (id, usage) => keyUsage(context, id, usage),
    accountUsage: (id, usage) => accountUsage(context, id, usage),
  }
}
