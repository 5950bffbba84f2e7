import type { RateLimitStatus } from './usage-limits/rate-limit-status.js'

/**
 * Every error Latchkey raises carries a stable `code` from this closed union, so callers
 * `switch` on codes, never on messages. Messages say what to do and never contain a secret or a token.
 */
export type LatchkeyErrorCode =
  /** The request carried no credentials Latchkey understands. HTTP 401 with both challenges. */
  | 'ERR_CREDENTIALS_MISSING'
  /** The request is malformed (bad Basic encoding, duplicate headers, a token in the query…). HTTP 400. */
  | 'ERR_INVALID_REQUEST'
  /** The API key id or secret is wrong, or the key or its account is not enabled. HTTP 401 `invalid_client`. */
  | 'ERR_INVALID_CREDENTIALS'
  /** The Bearer token is invalid, expired, or belongs to a key that is no longer enabled. HTTP 401 `invalid_token`. */
  | 'ERR_INVALID_TOKEN'
  /** The principal lacks a scope the route requires. HTTP 403 `insufficient_scope`. */
  | 'ERR_INSUFFICIENT_SCOPE'
  /** The token request names a grant type other than `client_credentials`. HTTP 400. */
  | 'ERR_UNSUPPORTED_GRANT_TYPE'
  /** The token request asks for a scope the key does not have, or a malformed scope. HTTP 400. */
  | 'ERR_INVALID_SCOPE'
  /** The token request names a `resource` (RFC 8707) this server does not issue tokens for. HTTP 400. */
  | 'ERR_INVALID_TARGET'
  /**
   * A revocation request (RFC 7009) on a verifier whose key store cannot remember revoked tokens
   * (it has no `revokeAccessToken`). HTTP 400 `unsupported_token_type`; revoke the API key instead.
   */
  | 'ERR_UNSUPPORTED_TOKEN_TYPE'
  /**
   * An endpoint was called with a method it does not accept: anything but POST at the token and
   * revocation endpoints (`Allow: POST`), anything but GET or HEAD at the JWKS and metadata (`Allow: GET, HEAD`). HTTP 405.
   */
  | 'ERR_METHOD_NOT_ALLOWED'
  /** The key store failed or timed out. HTTP 503: Latchkey fails closed. */
  | 'ERR_STORE_UNAVAILABLE'
  /**
   * Something failed that should not have: a bug, or a store that broke its contract. HTTP 500, and
   * an audit event with outcome `error`; the answer and the event say nothing about what failed.
   */
  | 'ERR_INTERNAL'
  /**
   * A private signing key is encrypted and no key-encryption key is configured, or it does not open
   * with the one configured (another key, or altered). HTTP 500: the server is misconfigured.
   */
  | 'ERR_KEY_ENCRYPTION'
  /**
   * Too many failed credential checks from this client address, or for this key id with a wrong
   * secret: brute-force throttling. HTTP 429 with `Retry-After`.
   */
  | 'ERR_TOO_MANY_ATTEMPTS'
  /** A management call named an account or key that does not exist. */
  | 'ERR_NOT_FOUND'
  /** A management call was given an invalid argument (a malformed scope, an empty name…). */
  | 'ERR_INVALID_ARGUMENT'
  /** A revoked key cannot be enabled again: revocation is final. */
  | 'ERR_KEY_REVOKED'
  /**
   * The key's or its account's rate limit is used up for the current window. HTTP 429 with
   * `Retry-After` and the RateLimit fields.
   */
  | 'ERR_RATE_LIMITED'
  /** The key has fewer credits left than the request costs. HTTP 429, with `Retry-After` until the next refill when it has one. */
  | 'ERR_CREDITS_EXHAUSTED'

/**
 * Why a credential was refused. It reaches audit events only, never a response, so that every
 * refusal looks the same to a caller.
 */
export type FailureReason =
  | 'malformed_key'
  | 'unknown_key'
  | 'wrong_secret'
  | 'key_disabled'
  | 'key_revoked'
  | 'key_expired'
  | 'account_disabled'
  | 'malformed_token'
  | 'token_expired'
  | 'token_invalid'
  | 'token_revoked'
  /** A rate limit of the key or its account was reached (`ERR_RATE_LIMITED`). */
  | 'rate_limited'
  /** The key had fewer credits left than the request costs (`ERR_CREDITS_EXHAUSTED`). */
  | 'credits_exhausted'

const marker = Symbol.for('latchkey.error')

/** Options shared by every {@link LatchkeyError}. */
export interface LatchkeyErrorOptions {
  /** The underlying error, when there is one. */
  cause?: unknown
  /** Why a credential was refused; for audit events only. */
  reason?: FailureReason
  /** The scopes a route requires, for `ERR_INSUFFICIENT_SCOPE`. */
  scope?: readonly string[]
  /** The methods the endpoint accepts, for `ERR_METHOD_NOT_ALLOWED`. */
  allow?: readonly string[]
  /** Seconds until a new attempt may succeed, for `ERR_TOO_MANY_ATTEMPTS`, `ERR_RATE_LIMITED` and `ERR_CREDITS_EXHAUSTED`. */
  retryAfter?: number
  /** The failure threshold that was crossed, for `ERR_TOO_MANY_ATTEMPTS`. */
  limit?: number
  /** Where the request's rate-limit policies stand, for `ERR_RATE_LIMITED` and `ERR_CREDITS_EXHAUSTED`. */
  rateLimits?: readonly RateLimitStatus[]
}

/**
 * The error class of Latchkey. Use {@link isLatchkeyError} rather than `instanceof`: it also
 * recognises errors from another copy of the package.
 */
export class LatchkeyError extends Error {
  override readonly name = 'LatchkeyError'
  readonly code: LatchkeyErrorCode
  readonly reason: FailureReason | undefined
  readonly scope: readonly string[] | undefined
  readonly allow: readonly string[] | undefined
  /** Seconds, for `ERR_TOO_MANY_ATTEMPTS`, `ERR_RATE_LIMITED` and `ERR_CREDITS_EXHAUSTED` (with a refill). */
  readonly retryAfter: number | undefined
  /** The failure threshold that was crossed, for `ERR_TOO_MANY_ATTEMPTS`. */
  readonly limit: number | undefined
  /** Where the request's rate-limit policies stand, for `ERR_RATE_LIMITED` and `ERR_CREDITS_EXHAUSTED`. */
  readonly rateLimits: readonly RateLimitStatus[] | undefined
  readonly [marker] = true

  constructor(code: LatchkeyErrorCode, message: string, options: LatchkeyErrorOptions = {}) {
    // A refusal is an answer, not a bug: capturing its stack would cost more than the check itself
    // and make refusing an attacker dearer. Errors with a cause, and store failures, keep theirs.
    const quiet = options.cause === undefined && code !== 'ERR_STORE_UNAVAILABLE'
    const limit = Error.stackTraceLimit
    if (quiet) Error.stackTraceLimit = 0
    try {
      super(message, options.cause === undefined ? undefined : { cause: options.cause })
    } finally {
      if (quiet) Error.stackTraceLimit = limit
    }
    this.code = code
    this.reason = options.reason
    this.scope = options.scope
    this.allow = options.allow
    this.retryAfter = options.retryAfter
    this.limit = options.limit
    this.rateLimits = options.rateLimits
  }
}

/**
 * `error` as a {@link LatchkeyError}: itself when it is one, else `ERR_INTERNAL` with it as the
 * cause. The one place an unexpected error gets its meaning, on every path alike.
 */
export function toLatchkeyError(error: unknown): LatchkeyError {
  return isLatchkeyError(error)
    ? error
    : new LatchkeyError('ERR_INTERNAL', 'An unexpected error occurred.', { cause: error })
}

/** Whether `value` is a {@link LatchkeyError}, from this or any other copy of the package. */
export function isLatchkeyError(value: unknown): value is LatchkeyError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
}
