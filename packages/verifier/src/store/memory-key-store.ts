import { creditsWithRefill } from '../usage-limits/credit-refill-change.js'
import type { CreditSpend } from '../usage-limits/credits.js'
import type { UsageCount, UsageFilter, UsageRow } from '../usage-limits/usage-counts.js'
import type {
  Account,
  AccountChanges,
  AccountStatus,
  ApiKeyChanges,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyRotationResult,
  ApiKeyStatus,
  KeyStore,
  SigningKeyRecord,
  ApiKeyRecord as StoredKey,
} from './key-store.js'
import { MemoryCreditBalances } from './memory-credit-balances.js'
import { MemoryUsageCounts } from './memory-usage-counts.js'
import type { RevokedToken } from './revoked-token.js'

/**
 * A {@link KeyStore} in process memory: for tests, demos and single-process servers that create
 * their keys at start. Everything is lost when the process ends.
 */
export class MemoryKeyStore implements KeyStore {
  readonly #accounts = new Map<string, Account>()
  readonly #keys = new Map<string, ApiKeyRecord>()
  readonly #signingKeys = new Map<string, SigningKeyRecord>()
  /** By key id: the revoked tokens' `jti`, each with the instant it may be forgotten. */
  readonly #revokedTokens = new Map<string, Map<string, Date>>()
  /** Credits live apart from the keys: a key made by rotation shares the balance of the one it replaced. */
  readonly #credits = new MemoryCreditBalances()
  readonly #usage = new MemoryUsageCounts()

  findApiKey(id: string): ApiKeyCredential | undefined {
    const key = this.getApiKey(id)
    const account = key && this.#accounts.get(key.accountId)
    if (!key || !account) return undefined
    const revoked = this.#revokedTokens.get(id)
    return {
      ...key,
      accountStatus: account.status,
      ...(revoked && revoked.size > 0 ? { revokedTokens: new Set(revoked.keys()) } : {}),
      ...(account.rateLimits && account.rateLimits.length > 0 ? { accountRateLimits: account.rateLimits } : {}),
    }
  }

  revokeAccessToken(token: RevokedToken, now: Date): void {
    if (!this.#keys.has(token.keyId)) throw new Error(`API key ${token.keyId} does not exist.`)
    for (const [keyId, tokens] of this.#revokedTokens) {
      for (const [jti, expiresAt] of tokens) if (expiresAt <= now) tokens.delete(jti)
      if (tokens.size === 0) this.#revokedTokens.delete(keyId)
    }
    if (token.expiresAt <= now) return
    const tokens = this.#revokedTokens.get(token.keyId) ?? new Map<string, Date>()
    this.#revokedTokens.set(token.keyId, tokens)
    const known = tokens.get(token.jti)
    if (!known || known < token.expiresAt) tokens.set(token.jti, new Date(token.expiresAt))
  }

  insertAccount(account: Account): void {
    if (this.#accounts.has(account.id)) throw new Error(`Account ${account.id} already exists.`)
    this.#accounts.set(account.id, structuredClone(account))
  }

  getAccount(id: string): Account | undefined {
    return this.#accounts.get(id)
  }

  listAccounts(): Account[] {
    return oldestFirst([...this.#accounts.values()], (account) => account.id)
  }

  setAccountStatus(id: string, status: AccountStatus): Account | undefined {
    const account = this.#accounts.get(id)
    if (!account) return undefined
    const updated = { ...account, status }
    this.#accounts.set(id, updated)
    return updated
  }

  updateAccount(id: string, changes: AccountChanges): Account | undefined {
    const account = this.#accounts.get(id)
    if (!account) return undefined
    const updated = { ...account, ...structuredClone(definedOnly(changes)) }
    this.#accounts.set(id, updated)
    return updated
  }

  insertApiKey(key: ApiKeyRecord): void {
    if (this.#keys.has(key.id)) throw new Error(`API key ${key.id} already exists.`)
    if (!this.#accounts.has(key.accountId)) throw new Error(`Account ${key.accountId} does not exist.`)
    this.#keys.set(key.id, structuredClone(key))
    if (key.credits) this.#credits.set(key.id, key.credits)
  }

  getApiKey(id: string): ApiKeyRecord | undefined {
    const key = this.#keys.get(id)
    return key && this.#withCredits(key)
  }

  listApiKeys(filter: { readonly accountId?: string } = {}): ApiKeyRecord[] {
    const keys = [...this.#keys.values()].filter(
      (key) => filter.accountId === undefined || key.accountId === filter.accountId,
    )
    return oldestFirst(keys, (key) => key.id).map((key) => this.#withCredits(key))
  }

  /** Synchronous, so no other caller can come between the refill, the check and the spend. */
  spendCredits(id: string, cost: number, now: Date): CreditSpend | undefined {
    return this.#keys.has(id) ? this.#credits.spend(id, cost, now) : undefined
  }

  recordUsage(counts: readonly UsageCount[], retainFrom: Date): void {
    this.#usage.record(counts, retainFrom, (keyId) => this.#keys.get(keyId)?.accountId)
  }

  listUsage(filter: UsageFilter): UsageRow[] {
    return this.#usage.list(filter)
  }

  /** `key` with the credits of the balance it spends from, which rotation shares. */
  #withCredits(key: StoredKey): ApiKeyRecord {
    const credits = this.#credits.of(key.id)
    return credits ? { ...key, credits } : key
  }

  touchApiKeys(uses: ReadonlyMap<string, Date>): void {
    for (const [id, at] of uses) {
      const key = this.#keys.get(id)
      if (!key || (key.lastUsedAt && key.lastUsedAt >= at)) continue
      this.#keys.set(id, { ...key, lastUsedAt: new Date(at) })
    }
  }

  setApiKeyStatus(id: string, status: ApiKeyStatus): ApiKeyRecord | undefined {
    const key = this.#keys.get(id)
    if (!key || key.status === 'revoked') return key && this.#withCredits(key)
    const updated = { ...key, status }
    this.#keys.set(id, updated)
    return this.#withCredits(updated)
  }

  updateApiKey(id: string, changes: ApiKeyChanges): ApiKeyRecord | undefined {
    const key = this.#keys.get(id)
    if (!key) return undefined
    const { creditRefill, ...fields } = changes
    const updated = { ...key, ...structuredClone(definedOnly(fields)) }
    this.#keys.set(id, updated)
    if (changes.credits !== undefined) this.#credits.set(id, changes.credits)
    else if (creditRefill) {
      // In the same synchronous step as the read: no spend comes between.
      const credits = creditsWithRefill(this.#credits.of(id), creditRefill)
      if (credits) this.#credits.set(id, credits)
    }
    return this.#withCredits(updated)
  }

  /** Synchronous, so no other caller can come between the check and the writes. */
  rotateApiKey(id: string, replacement: ApiKeyRecord, expiresAt: Date): ApiKeyRotationResult {
    const previous = this.#keys.get(id)
    if (previous?.status !== 'enabled' || previous.replacedBy !== null) {
      return { rotated: false, previous: previous && this.#withCredits(previous) }
    }
    // One balance for both keys: the replacement spends what the previous key has left.
    const shares = this.#credits.of(id) !== undefined
    this.insertApiKey({ ...replacement, replaces: id, ...(shares ? { credits: null } : {}) })
    if (shares) this.#credits.share(replacement.id, id)
    const ends = previous.expiresAt !== null && previous.expiresAt <= expiresAt ? previous.expiresAt : expiresAt
    const updated = { ...previous, replacedBy: replacement.id, expiresAt: new Date(ends) }
    this.#keys.set(id, updated)
    return {
      rotated: true,
      previous: this.#withCredits(updated),
      replacement: this.getApiKey(replacement.id) as ApiKeyRecord,
    }
  }

  listSigningKeys(): SigningKeyRecord[] {
    return oldestFirst([...this.#signingKeys.values()], (key) => key.kid)
  }

  insertSigningKey(key: SigningKeyRecord): void {
    if (this.#signingKeys.has(key.kid)) throw new Error(`Signing key ${key.kid} already exists.`)
    this.#signingKeys.set(key.kid, structuredClone(key))
  }

  /** Synchronous, so no other caller can come between the check and the insert. */
  insertFirstSigningKey(key: SigningKeyRecord): SigningKeyRecord {
    const [first] = this.listSigningKeys()
    if (first) return first
    this.insertSigningKey(key)
    return key
  }

  expireSigningKey(kid: string, expiresAt: Date): SigningKeyRecord | undefined {
    const key = this.#signingKeys.get(kid)
    if (!key || (key.expiresAt !== null && key.expiresAt <= expiresAt)) return key
    const updated = { ...key, expiresAt: new Date(expiresAt) }
    this.#signingKeys.set(kid, updated)
    return updated
  }

  replaceSigningKeyPrivateKey(kid: string, privateJwk: SigningKeyRecord['privateJwk']): SigningKeyRecord | undefined {
    const key = this.#signingKeys.get(kid)
    if (!key) return undefined
    const updated = { ...key, privateJwk }
    this.#signingKeys.set(kid, updated)
    return updated
  }
}

/** `changes` without the fields it leaves out: an explicit `undefined` changes nothing either. */
function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>
}

/** The store contract's order: by `createdAt`, then by id for records created in the same millisecond. */
function oldestFirst<T extends { readonly createdAt: Date }>(records: T[], id: (record: T) => string): T[] {
  return records.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (id(a) < id(b) ? -1 : 1))
}
