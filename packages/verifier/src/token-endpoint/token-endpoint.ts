import { type AuditTrail, failureEvent } from '../audit/audit-trail.js'
import type { UsageRecorder } from '../audit/usage-recorder.js'
import { toLatchkeyError } from '../errors.js'
import { errorAnswer, tokenAnswer } from '../http/answers.js'
import type { HttpAnswer } from '../http/http-answer.js'
import { type ClientAddressResolver, lazyClientAddress } from '../request/client-address.js'
import type { ConnectionInfo, EndpointInput } from '../verifier.js'
import { processTokenRequest, type TokenIssuance, type TokenRequestState } from './token-request.js'
import { tokenRequestParts } from './token-request-parts.js'

/** What a {@link TokenEndpoint} is made of. */
export interface TokenEndpointParts {
  readonly issuance: TokenIssuance
  readonly audit: AuditTrail
  readonly usage: UsageRecorder
  readonly resolveClientAddress: ClientAddressResolver
  readonly realm: string
  /** Milliseconds since the epoch. */
  readonly now: () => number
}

/** The token endpoint (RFC 6749 §4.4): answers every token request, and reports each to the audit trail. */
export class TokenEndpoint {
  readonly #parts: TokenEndpointParts

  constructor(parts: TokenEndpointParts) {
    this.#parts = parts
  }

  /** The answer to a token request, a grant or a refusal. Never rejects. */
  async answer(input: Request | EndpointInput, connection?: ConnectionInfo): Promise<HttpAnswer> {
    const { issuance, audit, usage, resolveClientAddress, realm, now } = this.#parts
    const started = performance.now()
    const state: TokenRequestState = {}
    const clientAddress = lazyClientAddress(resolveClientAddress, connection?.clientAddress, input.headers)
    try {
      const { key, body } = await processTokenRequest(issuance, tokenRequestParts(input), state, clientAddress())
      usage.record(key.id, now())
      audit.emit(
        { type: 'token', outcome: 'success', method: 'basic', keyId: key.id, accountId: key.accountId },
        started,
        clientAddress,
      )
      return tokenAnswer(JSON.stringify(body))
    } catch (error) {
      const latchkeyError = toLatchkeyError(error)
      audit.emit(
        failureEvent('token', latchkeyError, { keyId: state.keyId, accountId: state.key?.accountId }),
        started,
        clientAddress,
      )
      return errorAnswer(latchkeyError, 'token', realm)
    }
  }
}
