import { type AuditTrail, failureEvent } from '../audit/audit-trail.js'
import type { UsageRecorder } from '../audit/usage-recorder.js'
import { bearerTokenOf } from '../bearer/bearer-token.js'
import type { VerifiedToken } from '../bearer/verified-token-cache.js'
import { toLatchkeyError } from '../errors.js'
import { type AuthenticationMethod, basicPrincipal, type Principal } from '../principal.js'
import { missingCredentials } from '../refusals.js'
import { type AuthorizationCredentials, parseAuthorization } from '../request/authorization-header.js'
import { type ClientAddressResolver, lazyClientAddress } from '../request/client-address.js'
import { credentialValue } from '../request/request-credentials.js'
import type { AuthenticationInput, AuthenticationResult, ConnectionInfo } from '../verifier.js'
import type { ApiKeyCheck } from './api-key-check.js'
import type { BearerCheck } from './bearer-check.js'

/** What an {@link Authenticator} is made of. */
export interface AuthenticatorParts {
  readonly apiKeys: ApiKeyCheck
  readonly bearer: BearerCheck
  readonly audit: AuditTrail
  readonly usage: UsageRecorder
  readonly resolveClientAddress: ClientAddressResolver
  /** Milliseconds since the epoch. */
  readonly now: () => number
}

type ClientAddress = () => string | undefined

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

  authenticate(input: AuthenticationInput, connection?: ConnectionInfo): Promise<AuthenticationResult> {
    return Promise.resolve(this.authenticateNow(input, connection))
  }

  /**
   * The result at once when memory vouches for the request (see `checkNow` of {@link ApiKeyCheck}
   * and {@link BearerCheck}), else the promise of the full check. Refusals are only ever made by the
   * full check, so this answers exactly what it would.
   */
  authenticateNow(
    input: AuthenticationInput,
    connection?: ConnectionInfo,
  ): AuthenticationResult | Promise<AuthenticationResult> {
    const started = performance.now()
    const clientAddress = lazyClientAddress(this.#parts.resolveClientAddress, connection?.clientAddress, input.headers)
    let credentials: AuthorizationCredentials
    let verified: VerifiedToken | undefined
    try {
      const value = credentialValue(input)
      // A token verified before is the exact same string: it passed parsing then.
      const token = bearerTokenOf(value)
      verified = token === undefined ? undefined : this.#parts.bearer.verifiedNow(token)
      credentials = verified && token !== undefined ? { scheme: 'bearer', token } : parseAuthorization(value)
    } catch (error) {
      return this.#refusal(error, started, clientAddress, undefined, undefined)
    }
    let principal: Principal | undefined
    try {
      principal = this.#principalNow(credentials, clientAddress, verified)
    } catch {
      // Whatever failed (resolving the client address, say) fails again in the full check, which answers it.
    }
    if (principal) return this.#success(principal, started, clientAddress)
    return this.#check(credentials, verified, started, clientAddress)
  }

  #principalNow(
    credentials: AuthorizationCredentials,
    clientAddress: ClientAddress,
    verified: VerifiedToken | undefined,
  ): Principal | undefined {
    if (credentials.scheme === 'basic') {
      const key = this.#parts.apiKeys.checkNow(credentials.userId, credentials.password, clientAddress())
      return key && basicPrincipal(key)
    }
    return credentials.scheme === 'bearer' && verified ? this.#parts.bearer.checkNow(verified) : undefined
  }

  async #check(
    credentials: AuthorizationCredentials,
    verified: VerifiedToken | undefined,
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
        return this.#success(basicPrincipal(key), started, clientAddress)
      }
      if (credentials.scheme === 'bearer') {
        method = 'bearer'
        const principal = await this.#parts.bearer.check(credentials.token, clientAddress, verified)
        return this.#success(principal, started, clientAddress)
      }
      throw missingCredentials()
    } catch (error) {
      return this.#refusal(error, started, clientAddress, method, keyId)
    }
  }

  #success(principal: Principal, started: number, clientAddress: ClientAddress): AuthenticationResult {
    const { usage, audit, now } = this.#parts
    usage.record(principal.keyId, now())
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
    return { ok: true, principal }
  }

  #refusal(
    error: unknown,
    started: number,
    clientAddress: ClientAddress,
    method: AuthenticationMethod | undefined,
    keyId: string | undefined,
  ): AuthenticationResult {
    const latchkeyError = toLatchkeyError(error)
    const event = failureEvent('authenticate', latchkeyError, { keyId })
    this.#parts.audit.emit(method ? { ...event, method } : event, started, clientAddress)
    return { ok: false, error: latchkeyError }
  }
}
