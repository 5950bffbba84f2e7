import type { PresentedKey } from '../authenticate/api-key-check.js'
import { invalidRequest, missingCredentials } from '../refusals.js'
import { parseAuthorization } from '../request/authorization-header.js'

/** The client's id and secret as presented, and the same credentials read another way, if they differ. */
export interface ClientCredentials extends PresentedKey {
  /**
   * The Basic credentials as they were sent, not form-decoded, when that differs: clients of
   * Stormpath's era sent them so, and an imported secret with `+` or `%` reads differently decoded.
   */
  readonly alternative?: PresentedKey
}

/**
 * The client's id and secret (RFC 6749 §2.3.1): from Basic credentials, form-decoded, or from the
 * `client_id` and `client_secret` parameters of the body, never both. A `client_id` beside Basic is
 * tolerated only when it names the same client. Throws `ERR_INVALID_REQUEST`, or
 * `ERR_CREDENTIALS_MISSING` when the client did not authenticate.
 *
 * RFC 6749 asks clients to form-encode id and secret before they go into Basic credentials, and
 * many did not. Latchkey's own ids and secrets read the same either way; where they do not, both
 * readings are returned (the form-decoded one first) and the caller checks both.
 */
export function clientCredentials(
  authorization: string | undefined,
  form: ReadonlyMap<string, string>,
): ClientCredentials {
  const bodyId = form.get('client_id')
  const bodySecret = form.get('client_secret')
  if (authorization !== undefined) {
    const credentials = parseAuthorization(authorization)
    if (credentials.scheme !== 'basic') throw missingClient()
    if (bodySecret !== undefined) {
      throw invalidRequest('Authenticate the client with Basic or with client_secret in the body, not both.')
    }
    const raw: PresentedKey = { keyId: credentials.userId, secret: credentials.password }
    const decoded = formDecoded(raw)
    if (bodyId !== undefined && bodyId !== decoded?.keyId && bodyId !== raw.keyId) {
      throw invalidRequest('The client_id parameter does not match the Basic credentials.')
    }
    if (decoded === undefined) return raw
    if (decoded.keyId === raw.keyId && decoded.secret === raw.secret) return decoded
    return { ...decoded, alternative: raw }
  }
  if (bodyId === undefined || bodySecret === undefined) throw missingClient()
  return { keyId: bodyId, secret: bodySecret }
}

/**
 * RFC 6749 §2.3.1: id and secret form-urlencoded before they were put in Basic credentials.
 * `undefined` when either is not valid form-urlencoded text (a `%` not followed by two hex digits):
 * then only the raw reading can be meant.
 */
function formDecoded({ keyId, secret }: PresentedKey): PresentedKey | undefined {
  try {
    return { keyId: formDecode(keyId), secret: formDecode(secret) }
  } catch {
    return undefined
  }
}

function formDecode(value: string): string {
  // The fast path: Latchkey's own ids and secrets have nothing to decode.
  if (!value.includes('%') && !value.includes('+')) return value
  return decodeURIComponent(value.replaceAll('+', ' '))
}

function missingClient() {
  return missingCredentials('The token request carries no client credentials.')
}
