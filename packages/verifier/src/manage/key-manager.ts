import { generateApiKeyId, generateApiKeySecret, hashSecret, isPrintableKeyId } from '../basic/api-key.js'
import { LatchkeyError } from '../errors.js'
import { hasControlCharacters } from '../lib/control-characters.js'
import { randomBase62 } from '../lib/random.js'
import { isScopeToken } from '../scope.js'
import type { Account, AccountStatus, ApiKeyRecord, ApiKeyStatus, KeyStore } from '../store/key-store.js'

/** Account ids start with this. */
export const ACCOUNT_ID_PREFIX = 'acct_'

/** A key as listed: everything but its secret hash, which has no use outside the store. */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'secretHash'>

/** A newly created key. The secret is shown this once: only its hash is stored. */
export interface CreatedApiKey extends ApiKeyInfo {
  readonly secret: string
}

/** Options of {@link KeyManager.createAccount}. */
export interface CreateAccountOptions {
  /** A display name; 1 to 200 characters. */
  readonly name: string
  /** A contact address; stored as given. */
  readonly email?: string | undefined
}

/** Options of {@link KeyManager.createApiKey}. */
export interface CreateApiKeyOptions {
  /** The account that owns the key; it must exist and be enabled. */
  readonly accountId: string
  /** The scopes the key may be granted, as RFC 6749 scope tokens. Default: none. */
  readonly scopes?: readonly string[] | undefined
}

/** Creates, lists, disables, enables and revokes accounts and API keys in a {@link KeyStore}. */
export interface KeyManager {
  createAccount(options: CreateAccountOptions): Promise<Account>
  listAccounts(): Promise<Account[]>
  getAccount(id: string): Promise<Account>
  /** Disabling an account shuts out all its keys and every token issued to them at once. */
  disableAccount(id: string): Promise<Account>
  enableAccount(id: string): Promise<Account>
  createApiKey(options: CreateApiKeyOptions): Promise<CreatedApiKey>
  listApiKeys(filter?: { readonly accountId?: string | undefined }): Promise<ApiKeyInfo[]>
  getApiKey(id: string): Promise<ApiKeyInfo>
  /** Shuts out the key and its tokens until {@link KeyManager.enableApiKey}. */
  disableApiKey(id: string): Promise<ApiKeyInfo>
  enableApiKey(id: string): Promise<ApiKeyInfo>
  /** Shuts out the key and its tokens for good. */
  revokeApiKey(id: string): Promise<ApiKeyInfo>
}

/** Key management over `store`, for the CLI, admin APIs and tests. */
export function createKeyManager(store: KeyStore): KeyManager {
  async function requireAccount(id: string): Promise<Account> {
    const account = await store.getAccount(id)
    if (!account) throw new LatchkeyError('ERR_NOT_FOUND', `No account has the id ${quoteId(id)}.`)
    return account
  }

  async function setAccountStatus(id: string, status: AccountStatus): Promise<Account> {
    const account = await store.setAccountStatus(id, status)
    if (!account) throw new LatchkeyError('ERR_NOT_FOUND', `No account has the id ${quoteId(id)}.`)
    return account
  }

  async function setKeyStatus(id: string, status: ApiKeyStatus): Promise<ApiKeyInfo> {
    const key = await store.setApiKeyStatus(id, status)
    if (!key) throw new LatchkeyError('ERR_NOT_FOUND', `No API key has the id ${quoteId(id)}.`)
    if (key.status !== status) {
      throw new LatchkeyError('ERR_KEY_REVOKED', `API key ${id} is revoked; create a new key instead.`)
    }
    return withoutHash(key)
  }

  return {
    async createAccount({ name, email }) {
      const trimmed = name.trim()
      // Names end up in terminals and logs.
      if (trimmed.length === 0 || trimmed.length > 200 || hasControlCharacters(trimmed)) {
        throw new LatchkeyError(
          'ERR_INVALID_ARGUMENT',
          'An account name must have 1 to 200 characters and no control characters.',
        )
      }
      const account: Account = {
        id: ACCOUNT_ID_PREFIX + randomBase62(20),
        name: trimmed,
        email: email ?? null,
        status: 'enabled',
        createdAt: new Date(),
      }
      await store.insertAccount(account)
      return account
    },
    async listAccounts() {
      return store.listAccounts()
    },
    getAccount: requireAccount,
    disableAccount: (id) => setAccountStatus(id, 'disabled'),
    enableAccount: (id) => setAccountStatus(id, 'enabled'),

    async createApiKey({ accountId, scopes = [] }) {
      const invalid = scopes.find((scope) => !isScopeToken(scope))
      if (invalid !== undefined) {
        throw new LatchkeyError(
          'ERR_INVALID_ARGUMENT',
          `${JSON.stringify(invalid)} is not a valid scope: use printable ASCII without spaces, quotes or backslashes.`,
        )
      }
      const account = await requireAccount(accountId)
      if (account.status !== 'enabled') {
        throw new LatchkeyError('ERR_INVALID_ARGUMENT', `Account ${accountId} is disabled; enable it first.`)
      }
      const secret = generateApiKeySecret()
      const key: ApiKeyRecord = {
        id: generateApiKeyId(),
        accountId,
        secretHash: hashSecret(secret),
        scopes: [...new Set(scopes)],
        status: 'enabled',
        createdAt: new Date(),
      }
      await store.insertApiKey(key)
      return { ...withoutHash(key), secret }
    },
    async listApiKeys(filter = {}) {
      const keys = await store.listApiKeys(filter.accountId === undefined ? {} : { accountId: filter.accountId })
      return keys.map(withoutHash)
    },
    async getApiKey(id) {
      const key = await store.getApiKey(id)
      if (!key) throw new LatchkeyError('ERR_NOT_FOUND', `No API key has the id ${quoteId(id)}.`)
      return withoutHash(key)
    },
    disableApiKey: (id) => setKeyStatus(id, 'disabled'),
    enableApiKey: (id) => setKeyStatus(id, 'enabled'),
    revokeApiKey: (id) => setKeyStatus(id, 'revoked'),
  }
}

/** Echoes an id in a message only when it looks like one: a secret pasted by mistake is never repeated. */
function quoteId(id: string): string {
  return isPrintableKeyId(id) ? JSON.stringify(id) : 'given'
}

function withoutHash({ secretHash: _, ...info }: ApiKeyRecord): ApiKeyInfo {
  return info
}
