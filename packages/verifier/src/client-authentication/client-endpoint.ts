import { type AuditTrail, failureEvent } from '../audit/audit-trail.js'
import type { AuthEvent } from '../audit/events.js'
import type { UsageRecorder } from '../audit/usage-recorder.js'
import { toLatchkeyError } from '../errors.js'
import { type Challenge, errorAnswer } from '../http/answers.js'
import type { HttpAnswer } from '../http/http-answer.js'
import { type ClientAddressResolver, lazyClientAddress } from '../request/client-address.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import type { ConnectionInfo, EndpointInput } from '../verifier.js'
import type { ClientRequestState } from './authenticate-client.js'
import { type ClientRequestParts, clientRequestParts } from './client-request-parts.js'

/** What a client endpoint does with a request: the client it authenticated and the answer, or a throw. */
export type ClientRequestHandler = (
  request: ClientRequestParts,
  state: ClientRequestState,
  clientAddress: string | undefined,
) => Promise<{ readonly key: ApiKeyCredential; readonly answer: HttpAnswer }>

/** What a {@link ClientEndpoint} is made of. */
export interface ClientEndpointParts {
  /** The audit events' `type`. */
  readonly type: Extract<AuthEvent['type'], 'token' | 'revocation'>
  readonly handle: ClientRequestHandler
  readonly audit: AuditTrail
  readonly usage: UsageRecorder
  readonly resolveClientAddress: ClientAddressResolver
  readonly challenge: Challenge
  /** Milliseconds since the epoch. */
  readonly now: () => number
}

/**
 * An OAuth endpoint that authenticates its client with its API key: the token endpoint (RFC 6749
 * §4.4) and the revocation endpoint (RFC 7009). Answers every request, records the key's use, and
 * reports each request to the audit trail; every refusal is answered as the token endpoint's.
 */
export class ClientEndpoint {
  readonly #parts: ClientEndpointParts

  constructor(parts: ClientEndpointParts) {
    this.#parts = parts
  }

  /** The answer to a request, its success or a refusal. Never rejects. */
  async answer(input: Request | EndpointInput, connection?: ConnectionInfo): Promise<HttpAnswer> {
    const { type, handle, audit, usage, resolveClientAddress, challenge, now } = this.#parts
    const started = performance.now()
    const state: ClientRequestState = {}
    const clientAddress = lazyClientAddress(resolveClientAddress, connection?.clientAddress, input.headers)
    try {
      const { key, answer } = await handle(clientRequestParts(input), state, clientAddress())
      usage.record(key.id, now())
      audit.emit(
        { type, outcome: 'success', method: 'basic', keyId: key.id, accountId: key.accountId },
        started,
        clientAddress,
      )
      return answer
    } catch (error) {
      const latchkeyError = toLatchkeyError(error)
      audit.emit(
        failureEvent(type, latchkeyError, { keyId: state.keyId, accountId: state.key?.accountId }),
        started,
        clientAddress,
      )
      return errorAnswer(latchkeyError, 'token', challenge)
    }
  }
}
