import type { CreditRefillChange } from '../usage-limits/credit-refill-change.js'
import type { CreditSpend, KeyCredits } from '../usage-limits/credits.js'
import type { RateLimit } from '../usage-limits/rate-limit.js'
import type { RateLimitCounterFactory } from '../usage-limits/rate-limit-counter.js'
import type { UsageCount, UsageFilter, UsageRow } from '../usage-limits/usage-counts.js'
import type { FailureLimiterFactory } from './failure-limiter.js'
import type { KeyStoreSubscription, KeyStoreWatchListener } from './key-store-watch.js'
import type { RevokedToken } from './revoked-token.js'
import type { SigningKeyRecord } from './signing-key-record.js'

export type { KeyStoreSubscription, KeyStoreWatchEvent, KeyStoreWatchListener } from './key-store-watch.js'
export type { SealedPrivateKey, SigningKeyRecord } from './signing-key-record.js'

/** A value, or a promise of it: SQLite answers synchronously, Postgres asynchronously. */
export type Awaitable<T> = T | Promise<T>

/** Whether an account may use its keys. */
export type AccountStatus = 'enabled' | 'disabled'

/** Whether a key may be used. `revoked` is final: a store never changes a revoked key's status. */
export type ApiKeyStatus = 'enabled' | 'disabled' | 'revoked'

/** A JSON value, as metadata holds it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/**
 * What an API provider keeps beside a key or an account (a customer's plan, a tenant id): a JSON
 * object, at most 4096 bytes as JSON text (`MAX_METADATA_BYTES` of `@latchkey/verifier/manage`). `{}` when there is none.
 */
export type Metadata = { readonly [key: string]: JsonValue }

/** An account: the owner of API keys. */
export interface Account {
  readonly id: string
  readonly name: string
  readonly email: string | null
  readonly status: AccountStatus
  readonly createdAt: Date
  /** The account's metadata; `{}` when there is none. */
  readonly metadata: Metadata
  /**
   * Rate limits shared by all the account's keys: every request of any of them counts against each.
   * Absent or empty when there is none. A store written before limits has none; a store that has
   * them returns them as stored, in order.
   */
  readonly rateLimits?: readonly RateLimit[]
}

/** What {@link KeyStore.updateAccount} may change; a field left out keeps its value. */
export interface AccountChanges {
  readonly name?: string
  readonly email?: string | null
  readonly metadata?: Metadata
  /** Replaces the account's rate limits; `[]` removes them. */
  readonly rateLimits?: readonly RateLimit[]
}

/** An API key as stored. The secret itself is never stored, only {@link ApiKeyRecord.secretHash}. */
export interface ApiKeyRecord {
  readonly id: string
  readonly accountId: string
  /** `sha256:` followed by the unpadded base64url SHA-256 digest of the secret. */
  readonly secretHash: string
  readonly scopes: readonly string[]
  readonly status: ApiKeyStatus
  readonly createdAt: Date
  /** A display name, up to 100 characters (e.g. "staging"); `null` when it has none. */
  readonly name: string | null
  /** A free-text description; `null` when it has none. */
  readonly description: string | null
  /** The key's metadata, carried in the principal of every request it authenticates; `{}` when there is none. */
  readonly metadata: Metadata
  /**
   * After this instant the key is refused as a revoked one is, and so are its tokens; `null` when
   * it does not expire. Verifiers compare it with their clock on every use: no store write happens
   * when a key expires.
   */
  readonly expiresAt: Date | null
  /** The id of the key this one replaced by rotation; `null` for a key made afresh or imported. */
  readonly replaces: string | null
  /** The id of the key that replaced this one by rotation; `null` until it is rotated. */
  readonly replacedBy: string | null
  /**
   * When the key last authenticated a request, as verifiers record it through
   * {@link KeyStore.touchApiKeys}: best effort, up to the verifier's `lastUsedFlushInterval` late
   * (default 60 s). Absent (or `null`) when no use was recorded. Stores need not return it from
   * {@link KeyStore.findApiKey}.
   */
  readonly lastUsedAt?: Date | null
  /**
   * The key's own rate limits (its account's come on top); absent or empty when there is none. A store
   * that has them returns them as stored, in order.
   */
  readonly rateLimits?: readonly RateLimit[]
  /**
   * The key's credits; absent or `null` when its requests are not metered. `remaining` is as of the
   * read: {@link KeyStore.spendCredits} is the only authority. A key made by rotation shares the
   * credits of the key it replaced (one balance for both), so a store returns the same
   * `remaining` and `refill` for both.
   */
  readonly credits?: KeyCredits | null
}

/** What {@link KeyStore.updateApiKey} may change; a field left out keeps its value. */
export interface ApiKeyChanges {
  readonly name?: string | null
  readonly description?: string | null
  readonly scopes?: readonly string[]
  readonly metadata?: Metadata
  readonly expiresAt?: Date | null
  /** Replaces the key's rate limits; `[]` removes them. */
  readonly rateLimits?: readonly RateLimit[]
  /**
   * Sets the key's credits, `remaining` included (for a key sharing a balance by rotation, the shared
   * balance); `null` stops metering the key.
   */
  readonly credits?: KeyCredits | null
  /**
   * Sets the refill of the key's credits and keeps what is left, in one step with respect to every
   * spend (`creditsWithRefill` of the balance as it is then): on the shared balance for a key sharing
   * one by rotation; on a key not metered, starts its credits at the refill's amount. Never given with
   * `credits`. Optional for a store: one that leaves it out hands the key back with its refill unchanged,
   * and the manager then writes `credits` computed from its own read.
   */
  readonly creditRefill?: CreditRefillChange
}

/** What {@link KeyStore.rotateApiKey} did. */
export type ApiKeyRotationResult =
  /** The replacement was stored, and the previous key now names it and expires at the overlap's end. */
  | { readonly rotated: true; readonly previous: ApiKeyRecord; readonly replacement: ApiKeyRecord }
  /**
   * Nothing changed: there is no such key (`previous` is `undefined`), or it is not enabled, or it
   * was rotated already (`previous.replacedBy` names its replacement).
   */
  | { readonly rotated: false; readonly previous: ApiKeyRecord | undefined }

/** What the hot path needs in one round trip: the key, its account's status and its revoked tokens. */
export interface ApiKeyCredential extends ApiKeyRecord {
  readonly accountStatus: AccountStatus
  /**
   * The `jti` of every access token of this key that was revoked ({@link KeyStore.revokeAccessToken})
   * and is not yet forgotten; absent or empty when there is none. Read with the key, in the same
   * round trip, so a revoked token is refused within the same bound as a revoked key.
   */
  readonly revokedTokens?: ReadonlySet<string>
  /** The rate limits of the key's account, read with the key in the same round trip; absent or empty when none. */
  readonly accountRateLimits?: readonly RateLimit[]
}

/**
 * Where accounts, API keys and signing keys live. Small on purpose and free of any SQL dialect:
 * the memory, SQLite and Postgres stores implement it and pass one conformance suite.
 *
 * A method that cannot reach its database throws; the verifier turns that into `503`, never into
 * a success or a `401`.
 */
export interface KeyStore {
  /**
   * The key with its account's status, or `undefined` when there is no such key (or, in a store
   * without foreign keys, no such account). Called on every authenticated request.
   */
  findApiKey(id: string): Awaitable<ApiKeyCredential | undefined>
  /** Stores a new account. Ids are unique; a duplicate throws. */
  insertAccount(account: Account): Awaitable<void>
  getAccount(id: string): Awaitable<Account | undefined>
  /** All accounts, oldest first: by `createdAt`, then by id. */
  listAccounts(): Awaitable<Account[]>
  /** Sets an account's status; returns the updated account, or `undefined` when there is none. */
  setAccountStatus(id: string, status: AccountStatus): Awaitable<Account | undefined>
  /** Changes an account's name, email or metadata; returns the updated account, or `undefined` when there is none. */
  updateAccount(id: string, changes: AccountChanges): Awaitable<Account | undefined>
  /** Stores a new key. Its account must exist; a duplicate id throws. */
  insertApiKey(key: ApiKeyRecord): Awaitable<void>
  getApiKey(id: string): Awaitable<ApiKeyRecord | undefined>
  /** Keys, oldest first (by `createdAt`, then by id), optionally of one account. */
  listApiKeys(filter?: { readonly accountId?: string }): Awaitable<ApiKeyRecord[]>
  /**
   * Sets a key's status and returns the key as it now is, or `undefined` when there is none.
   * A revoked key stays revoked: the returned record then still says `revoked`.
   */
  setApiKeyStatus(id: string, status: ApiKeyStatus): Awaitable<ApiKeyRecord | undefined>
  /**
   * Changes a key's name, description, scopes, metadata or expiry (never its status, secret or
   * account) and returns the key as it now is, or `undefined` when there is none. The change feed
   * announces it like a status change: verifiers cache every field the principal carries.
   */
  updateApiKey(id: string, changes: ApiKeyChanges): Awaitable<ApiKeyRecord | undefined>
  /**
   * Rotates key `id`, atomically with respect to every other writer: when it exists, is `enabled`
   * and has no `replacedBy`, stores `replacement` (with `replaces` set to `id`), sets the key's
   * `replacedBy` to the replacement's id and its `expiresAt` to `expiresAt`, unless it already
   * expires earlier. Otherwise changes nothing. Of concurrent rotations of one key exactly one
   * succeeds. A duplicate replacement id throws.
   */
  rotateApiKey(id: string, replacement: ApiKeyRecord, expiresAt: Date): Awaitable<ApiKeyRotationResult>
  /**
   * Spends `cost` credits of key `id` in one atomic step with respect to every other writer (other
   * connections, other instances): first refills them when a refill is due at or before `now` (see
   * `creditsAt`), then takes `cost` only when at least `cost` are left. However many verifiers spend
   * at once, a key is never granted more than its credits; a grant is durable once this resolves (a
   * restart never hands credits back). A key sharing a balance by rotation spends from the shared
   * balance. Returns `undefined` when there is no such key or it has no credits. Not announced on the
   * change feed, and no new {@link KeyStore.changeVersion}: spending is not a change to the key.
   * Optional: without it, a verifier answers 503 to every request of a key with credits.
   */
  spendCredits?(id: string, cost: number, now: Date): Awaitable<CreditSpend | undefined>
  /**
   * Adds usage counts: for each, the count of (key, hour, outcome) grows by `count`, with the key's
   * account recorded beside it. Unknown key ids are skipped. Then forgets every count whose hour is
   * before `retainFrom`. Verifiers call it in batches off the request path, like
   * {@link KeyStore.touchApiKeys}, and ignore its failures. Not announced on the change feed.
   * Optional: without it, usage is not counted.
   */
  recordUsage?(counts: readonly UsageCount[], retainFrom: Date): Awaitable<void>
  /** Usage counts of one key, or of every key of one account, with an hour at or after `since`: by hour, then key id, then outcome. */
  listUsage?(filter: UsageFilter): Awaitable<UsageRow[]>
  /** All signing keys, oldest first: by `createdAt`, then by `kid`. */
  listSigningKeys(): Awaitable<SigningKeyRecord[]>
  /** Stores a new signing key; a duplicate `kid` throws. */
  insertSigningKey(key: SigningKeyRecord): Awaitable<void>
  /**
   * Stores `key` only when the store holds no signing key at all (in any state, expired included),
   * atomically with respect to every other writer on the store: other connections, other
   * processes. Returns the store's first key afterwards: `key` itself, or, when another writer got
   * there first, the oldest key the store holds (by `createdAt`, then by `kid`), which the caller
   * adopts. Verifiers call it for their first key, so that instances starting together on one store
   * make exactly one. Optional so that older stores still type-check; without it each verifier
   * inserts its own first key and every instance then picks the newest.
   */
  insertFirstSigningKey?(key: SigningKeyRecord): Awaitable<SigningKeyRecord>
  /**
   * Sets when a signing key stops verifying, for rotation. Expiry only ever moves earlier: a key
   * whose `expiresAt` is already at or before `expiresAt` keeps it. Returns the key as it now is,
   * or `undefined` when there is none. Optional so that older stores still type-check; without it
   * `rotateSigningKey` (`@latchkey/verifier/manage`) refuses to run.
   */
  expireSigningKey?(kid: string, expiresAt: Date): Awaitable<SigningKeyRecord | undefined>
  /**
   * Replaces a signing key's private half with the same key sealed anew (or opened), for a change of
   * key-encryption key; nothing else of the key changes. Returns the key as it now is, or `undefined`
   * when there is none. Optional; without it `resealSigningKeys` refuses to run.
   */
  replaceSigningKeyPrivateKey?(
    kid: string,
    privateJwk: SigningKeyRecord['privateJwk'],
  ): Awaitable<SigningKeyRecord | undefined>
  /**
   * Records when keys were last used: for each id, `lastUsedAt` becomes the given instant unless it
   * is already later (it only ever moves forward, whatever order instances write in). Unknown ids
   * are skipped. Verifiers call it in batches, at most once per key per flush interval, never on the
   * request path, and ignore its failures. It must not end cached statuses (no change-feed event).
   * Optional: without it, `lastUsedAt` is simply not kept.
   */
  touchApiKeys?(uses: ReadonlyMap<string, Date>): Awaitable<void>
  /**
   * Remembers that access token `token.jti` of key `token.keyId` is revoked (RFC 7009), so that
   * {@link KeyStore.findApiKey} returns it in the key's `revokedTokens` until `token.expiresAt`, and
   * forgets every revocation whose `expiresAt` is at or before `now`. Announced like any change to the
   * key (an `api-key` event, a new {@link KeyStore.changeVersion}), so that every verifier re-reads
   * the key. Revoking a token twice is no error. A key that does not exist throws `ERR_NOT_FOUND`.
   * Optional: without it, the revocation endpoint answers `503` and tokens are never revoked one by one
   * (revoking the key still revokes them all).
   */
  revokeAccessToken?(token: RevokedToken, now: Date): Awaitable<void>
  /**
   * Subscribes to changes made through any connection (this process, other instances, the CLI),
   * so the verifier can cache key lookups and invalidate them. It must announce a key's creation
   * as it does any other change to the key: the verifier remembers ids that have no key as well, and
   * forgets one only when an `api-key` event names it (or `keyStatusMaxAge` passes). A store without
   * it is read on every request, unless it has {@link KeyStore.changeVersion}. See
   * {@link KeyStoreWatchEvent} for the protocol.
   */
  watch?(listener: KeyStoreWatchListener): KeyStoreSubscription
  /**
   * A number that changes whenever accounts or API keys may have changed, through any connection:
   * this process, other instances, the CLI. The verifier asks for it on every request and serves
   * key lookups from memory while it stays the same, so it must be cheap (SQLite reads `PRAGMA
   * data_version` at most once a millisecond) and must never stay the same, a few milliseconds after
   * it, across a committed change of a key's status, scopes or existence, or an account's status: a
   * change by this connection is seen at once. It may change for other reasons
   * (`lastUsedAt`, signing keys): that only costs a re-read. A store with {@link KeyStore.watch}
   * does not need it. Optional: without either, the store is read on every request.
   */
  changeVersion?(): Awaitable<number>
  /**
   * Makes the limiters brute-force throttling counts failures in, so that every instance sharing this
   * store shares the counts (Postgres). Without it the verifier counts in process memory.
   */
  createFailureLimiter?: FailureLimiterFactory
  /**
   * Makes the counters rate limits count in, so that every instance sharing this store shares the
   * windows (Postgres). Without it, and without the verifier's `rateLimits.counter` option, each
   * instance counts in its own memory.
   */
  createRateLimitCounter?: RateLimitCounterFactory
  /** Releases connections and file handles. */
  close?(): Awaitable<void>
}
