import { isPrintableKeyId } from '../basic/api-key.js'
import type { LatchkeyError } from '../errors.js'
import { errorTable } from '../http/answers.js'
import { nodeAuthEventChannel } from './audit-channel.js'
import type { AuthEvent, AuthEventHandler } from './events.js'

/** An event as the request path knows it: the trail adds the instant, duration and client address. */
export type AuthEventDraft = Omit<AuthEvent, 'at' | 'durationMs' | 'clientAddress'>

/**
 * Hands every authentication decision to the `onEvent` hook and, on Node, to the `latchkey:auth`
 * diagnostics channel. Neither may change the answer: what they throw is swallowed.
 */
export class AuditTrail {
  readonly #onEvent: AuthEventHandler | undefined
  readonly #now: () => number
  // Looked up once: publishing is then a property read while nobody subscribes.
  readonly #channel = nodeAuthEventChannel()

  constructor(onEvent: AuthEventHandler | undefined, now: () => number) {
    this.#onEvent = onEvent
    this.#now = now
  }

  /**
   * Records `event`, decided `started` (a `performance.now()` reading) ago; `clientAddress` is asked
   * only when someone listens, since resolving it is not free on a path every request takes. `event`
   * is a draft made for this call: it is completed in place (copying it costs more, on every request
   * of a server that counts events) and handed on as the event.
   */
  emit(event: AuthEventDraft, started: number, clientAddress: () => string | undefined): void {
    const publish = this.#channel?.hasSubscribers === true
    if (!this.#onEvent && !publish) return
    const address = clientAddress()
    const complete = event as { -readonly [field in keyof AuthEvent]: AuthEvent[field] }
    if (address !== undefined) complete.clientAddress = address
    complete.at = new Date(this.#now())
    complete.durationMs = performance.now() - started
    try {
      this.#onEvent?.(complete)
    } catch {
      // An audit hook must never change the answer.
    }
    if (!publish) return
    try {
      this.#channel?.publish(complete)
    } catch {
      // Nor may a diagnostics_channel subscriber; Node reports a subscriber's own error as uncaught.
    }
  }
}

/**
 * The event of a refusal or failure: `error` (the refusal, a store outage, or `ERR_INTERNAL`), and
 * the key id presented when it may be logged.
 */
export function failureEvent(
  type: AuthEvent['type'],
  error: LatchkeyError,
  known: { readonly keyId?: string | undefined; readonly accountId?: string | undefined } = {},
): AuthEventDraft {
  // A failure on the server's side (a 5xx answer), not a refused request, is an `error`.
  const outcome = errorTable[error.code].status >= 500 ? 'error' : 'failure'
  return {
    type,
    outcome,
    code: error.code,
    ...(error.reason ? { reason: error.reason } : {}),
    ...(known.keyId !== undefined && isPrintableKeyId(known.keyId) ? { keyId: known.keyId } : {}),
    ...(known.accountId !== undefined ? { accountId: known.accountId } : {}),
  }
}
