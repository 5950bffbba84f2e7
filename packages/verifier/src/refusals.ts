import { type FailureReason, LatchkeyError } from './errors.js'

/** `ERR_INVALID_REQUEST`: a malformed request, its message saying what to fix. */
export function invalidRequest(message: string): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_REQUEST', message)
}

/** `ERR_CREDENTIALS_MISSING`: no credentials of a scheme Latchkey knows. */
export function missingCredentials(message = 'The request carries no credentials.'): LatchkeyError {
  return new LatchkeyError('ERR_CREDENTIALS_MISSING', message)
}

/** `ERR_INVALID_CREDENTIALS`, with the same message whatever the `reason`, which only audit events see. */
export function invalidCredentials(reason: FailureReason): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_CREDENTIALS', 'The API key is not valid.', { reason })
}

/** `ERR_INVALID_TOKEN`, with the same message whatever the `reason`, which only audit events see. */
export function invalidToken(reason: FailureReason, cause?: unknown): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_TOKEN', 'The access token is not valid.', { reason, cause })
}
