import { invalidRequest, missingCredentials } from '../refusals.js'
import { parseAuthorization } from '../request/authorization-header.js'

/**
 * The client's id and secret (RFC 6749 §2.3.1): from Basic credentials, form-decoded, or from the
 * `client_id` and `client_secret` parameters of the body, never both. A `client_id` beside Basic is
 * tolerated only when it names the same client. Throws `ERR_INVALID_REQUEST`, or
 * `ERR_CREDENTIALS_MISSING` when the client did not authenticate.
 */
export function clientCredentials(
  authorization: string | undefined,
  form: ReadonlyMap<string, string>,
): { keyId: string; secret: string } {
  const bodyId = form.get('client_id')
  const bodySecret = form.get('client_secret')
  if (authorization !== undefined) {
    const credentials = parseAuthorization(authorization)
    if (credentials.scheme !== 'basic') throw missingClient()
    if (bodySecret !== undefined) {
      throw invalidRequest('Authenticate the client with Basic or with client_secret in the body, not both.')
    }
    const keyId = formDecode(credentials.userId)
    if (bodyId !== undefined && bodyId !== keyId) {
      throw invalidRequest('The client_id parameter does not match the Basic credentials.')
    }
    return { keyId, secret: formDecode(credentials.password) }
  }
  if (bodyId === undefined || bodySecret === undefined) throw missingClient()
  return { keyId: bodyId, secret: bodySecret }
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are put in Basic credentials. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '))
  } catch {
    throw invalidRequest('The Basic credentials are not valid form-urlencoded text.')
  }
}

function missingClient() {
  return missingCredentials('The token request carries no client credentials.')
}
