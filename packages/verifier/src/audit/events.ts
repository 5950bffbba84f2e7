import type { FailureReason, LatchkeyErrorCode } from '../errors.js'
import type { AuthenticationMethod } from '../principal.js'

/**
 * One authentication decision, for audit logs and metrics. It never carries a secret or a token:
 * at most the key id, which is not secret.
 */
export interface AuthEvent {
  /**
   * `authenticate` for a protected request, `token` for a token request, `revocation` for a token
   * revocation request (RFC 7009; a success whether or not there was a token of the client's to revoke).
   */
  readonly type: 'authenticate' | 'token' | 'revocation'
  /** `success`, a refused credential or request (`failure`), or a store outage or unexpected error (`error`). */
  readonly outcome: 'success' | 'failure' | 'error'
  /** The error code, when not a success. */
  readonly code?: LatchkeyErrorCode
  /** Why a credential was refused: the detail every response hides. */
  readonly reason?: FailureReason
  readonly method?: AuthenticationMethod
  /** The key id presented or proven, when it was well-formed. */
  readonly keyId?: string
  /** The account, when the key was found. */
  readonly accountId?: string
  /**
   * The client's address as the adapter (or the trusted-proxy configuration) gave it, when it gave
   * one. Not a secret, but personal data in some jurisdictions: mind it when retaining events.
   */
  readonly clientAddress?: string
  /** When the decision was made. */
  readonly at: Date
  /** How long the decision took, in milliseconds. */
  readonly durationMs: number
}

/**
 * Receives {@link AuthEvent}s. It is called synchronously, before the answer is sent, so it should
 * only hand the event on (a log line, a metric, a queue); errors it throws are ignored.
 */
export type AuthEventHandler = (event: AuthEvent) => void
