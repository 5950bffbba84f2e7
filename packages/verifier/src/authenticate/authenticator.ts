import { type AuditTrail, failureEvent } from '../audit/audit-trail.js'
import type { UsageCountsRecorder } from '../audit/usage-counts-recorder.js'
import type { UsageRecorder } from '../audit/usage-recorder.js'
import type { KnownBasic } from '../basic/verified-secret-cache.js'
import { bearerTokenOf } from '../bearer/bearer-token.js'
import type { VerifiedToken } from '../bearer/verified-token-cache.js'
import { type FailureReason, type LatchkeyError, toLatchkeyError } from '../errors.js'
import { type AuthenticationMethod, basicPrincipal, type Principal } from '../principal.js'
import { missingCredentials } from '../refusals.js'
import { type AuthorizationCredentials, parseAuthorization } from '../request/authorization-header.js'
import { type ClientAddressResolver, lazyClientAddress } from '../request/client-address.js'
import { credentialValue } from '../request/request-credentials.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import { requestCost } from '../usage-limits/request-cost.js'
import type { UsageOutcome } from '../usage-limits/usage-counts.js'
import { isLimited, type UsageLimits } from '../usage-limits/usage-limits.js'
import type {
  AuthenticateRequestOptions,
  AuthenticationInput,
  AuthenticationResult,
  ConnectionInfo,
} from '../verifier.js'
import type { ApiKeyCheck } from './api-key-check.js'
import type { BearerCheck } from './bearer-check.js'

/** What an {@link Authenticator} is made of. */
export interface AuthenticatorParts {
  readonly apiKeys: ApiKeyCheck
  readonly bearer: BearerCheck
  readonly audit: AuditTrail
  readonly usage: UsageRecorder
  /** Requests per key, hour and outcome. */
  readonly usageCounts: UsageCountsRecorder
  /** The rate limits and credits of keys that have them. */
  readonly limits: UsageLimits
  readonly resolveClientAddress: ClientAddressResolver
  /** Milliseconds since the epoch. */
  readonly now: () => number
}

type ClientAddress = () => string | undefined

/**
 * The refusals of a key that exists, which usage counts record as `refused`: of its secret or its
 * status on Basic, of its status or a revoked token on Bearer (after the signature verified).
 */
const refusedReasons: ReadonlySet<FailureReason | undefined> = new Set<FailureReason>([
  'wrong_secret',
  'key_disabled',
  'key_revoked',
  'key_expired',
  'account_disabled',
  'token_revoked',
])

/**
 * Authenticates requests to protected resources: reads the one `Authorization` value, answers from
 * memory when memory vouches for it ({@link Authenticator.authenticateNow}), else checks it in full
 * through the store, and reports every decision to the audit trail.
 */
export class Authenticator {
  readonly #parts: AuthenticatorParts

  constructor(parts: AuthenticatorParts) {
    this.#parts = parts
  }

  authenticate(
    input: AuthenticationInput,
    connection?: ConnectionInfo,
    options?: AuthenticateRequestOptions,
  ): Promise<AuthenticationResult> {
    try {
      return Promise.resolve(this.authenticateNow(input, connection, options))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * The result at once when memory vouches for the request (see `checkNow` of {@link ApiKeyCheck}
   * and {@link BearerCheck}), else the promise of the full check. Refusals are only ever made by the
   * full check, so this answers exactly what it would. A key with credits, or with rate limits counted
   * outside this process, is answered by a promise: its counters and credits are asked first.
   */
  authenticateNow(
    input: AuthenticationInput,
    connection?: ConnectionInfo,
    options?: AuthenticateRequestOptions,
  ): AuthenticationResult | Promise<AuthenticationResult> {
    // Checked before anything is counted: a bad cost is the route's bug, never the request's.
    const cost = options?.cost === undefined ? 1 : requestCost(options.cost)
    const started = performance.now()
    const clientAddress = lazyClientAddress(this.#parts.resolveClientAddress, connection?.clientAddress, input.headers)
    let value: string
    let credentials: AuthorizationCredentials
    let known: KnownBasic | undefined
    let verified: VerifiedToken | undefined
    try {
      value = credentialValue(input)
      // A token verified before is the exact same string: it passed parsing then. So are Basic
      // credentials whose secret matched before.
      const token = bearerTokenOf(value)
      verified = token === undefined ? undefined : this.#parts.bearer.verifiedNow(token)
      known = token === undefined ? this.#parts.apiKeys.knownCredentials(value) : undefined
      credentials =
        verified && token !== undefined
          ? { scheme: 'bearer', token }
          : (known?.credentials ?? parseAuthorization(value))
    } catch (error) {
      return this.#refusal(error, started, clientAddress, undefined, undefined)
    }
    let key: ApiKeyCredential | undefined
    let principal: Principal | undefined
    try {
      if (credentials.scheme === 'basic') {
        const { apiKeys } = this.#parts
        if (known) key = apiKeys.checkKnownNow(known, clientAddress())
        else {
          key = apiKeys.checkNow(credentials.userId, credentials.password, clientAddress())
          if (key) apiKeys.rememberCredentials(value, credentials, key)
        }
        principal = key && basicPrincipal(key)
      } else if (credentials.scheme === 'bearer' && verified) {
        const made = this.#parts.bearer.checkNow(verified)
        key = made?.key
        principal = made?.principal
      }
    } catch {
      // Whatever failed (resolving the client address, say) fails again in the full check, which answers it.
    }
    if (principal && key) return this.#admit(principal, key, cost, started, clientAddress)
    return this.#check(credentials, verified, cost, started, clientAddress)
  }

  async #check(
    credentials: AuthorizationCredentials,
    verified: VerifiedToken | undefined,
    cost: number,
    started: number,
    clientAddress: ClientAddress,
  ): Promise<AuthenticationResult> {
    let method: AuthenticationMethod | undefined
    let keyId: string | undefined
    try {
      if (credentials.scheme === 'basic') {
        method = 'basic'
        keyId = credentials.userId
        const key = await this.#parts.apiKeys.check(credentials.userId, credentials.password, clientAddress())
        return await this.#admit(basicPrincipal(key), key, cost, started, clientAddress)
      }
      if (credentials.scheme === 'bearer') {
        method = 'bearer'
        const { bearer } = this.#parts
        const checked = await bearer.verify(credentials.token, clientAddress, verified)
        // Signed by this server: its key id is the issuer's word, and a refusal from here on is its key's.
        keyId = checked.claims.sub
        const { key, principal } = await bearer.principal(checked)
        return await this.#admit(principal, key, cost, started, clientAddress)
      }
      throw missingCredentials()
    } catch (error) {
      return this.#refusal(error, started, clientAddress, method, keyId)
    }
  }

  /**
   * The success of `principal`, at once for a key without usage limits or with rate limits counted in
   * memory alone, else once its counters and credits admit it.
   */
  #admit(
    principal: Principal,
    key: ApiKeyCredential,
    cost: number,
    started: number,
    clientAddress: ClientAddress,
  ): AuthenticationResult | Promise<AuthenticationResult> {
    if (!isLimited(key)) return this.#success(principal, started, clientAddress, undefined)
    let admitted: ReturnType<UsageLimits['admit']>
    try {
      admitted = this.#parts.limits.admit(key, cost)
    } catch (error) {
      return this.#limitRefusal(error, principal, started, clientAddress)
    }
    if (!(admitted instanceof Promise)) return this.#success(principal, started, clientAddress, admitted)
    return admitted.then(
      (headers) => this.#success(principal, started, clientAddress, headers),
      (error: unknown) => this.#limitRefusal(error, principal, started, clientAddress),
    )
  }

  /** The refusal of `principal`'s request by its usage limits (or their counters' failure). */
  #limitRefusal(
    error: unknown,
    principal: Principal,
    started: number,
    clientAddress: ClientAddress,
  ): AuthenticationResult {
    return this.#refusal(error, started, clientAddress, principal.method, principal.keyId, principal.accountId)
  }

  #success(
    principal: Principal,
    started: number,
    clientAddress: ClientAddress,
    headers: Readonly<Record<string, string>> | undefined,
  ): AuthenticationResult {
    const { usage, usageCounts, audit, now } = this.#parts
    const at = now()
    usage.record(principal.keyId, at)
    usageCounts.count(principal.keyId, 'served', at)
    audit.emit(
      {
        type: 'authenticate',
        outcome: 'success',
        method: principal.method,
        keyId: principal.keyId,
        accountId: principal.accountId,
      },
      started,
      clientAddress,
    )
    return headers ? { ok: true, principal, headers } : { ok: true, principal }
  }

  #refusal(
    error: unknown,
    started: number,
    clientAddress: ClientAddress,
    method: AuthenticationMethod | undefined,
    keyId: string | undefined,
    accountId?: string,
  ): AuthenticationResult {
    const latchkeyError = toLatchkeyError(error)
    const event = failureEvent('authenticate', latchkeyError, { keyId, accountId })
    this.#parts.audit.emit(method ? { ...event, method } : event, started, clientAddress)
    const outcome = usageOutcomeOf(latchkeyError)
    // The store skips ids that have no key; `refused` is only counted where the key was found.
    if (outcome && keyId !== undefined) this.#parts.usageCounts.count(keyId, outcome, this.#parts.now())
    return { ok: false, error: latchkeyError }
  }
}

/** What usage counts record of a refusal, if anything. */
function usageOutcomeOf(error: LatchkeyError): UsageOutcome | undefined {
  if (error.code === 'ERR_RATE_LIMITED') return 'rate_limited'
  if (error.code === 'ERR_CREDITS_EXHAUSTED') return 'credits_exhausted'
  const refusal = error.code === 'ERR_INVALID_CREDENTIALS' || error.code === 'ERR_INVALID_TOKEN'
  return refusal && refusedReasons.has(error.reason) ? 'refused' : undefined
}
