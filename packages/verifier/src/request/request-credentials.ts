import { invalidRequest, missingCredentials } from '../refusals.js'
import type { AuthenticationInput } from '../verifier.js'
import { authorizationValues, soleAuthorization } from './authorization-header.js'

/**
 * The one `Authorization` value of a request to a protected resource. Throws `ERR_INVALID_REQUEST`
 * for two values or a token in the query, and `ERR_CREDENTIALS_MISSING` for none.
 */
export function credentialValue(input: AuthenticationInput): string {
  const value = soleAuthorization('authorization' in input ? input.authorization : authorizationValues(input))
  const url = input.url
  // Parsing a URL on every request is not free: only one that may name the parameter is parsed.
  if (
    url !== undefined &&
    (url.includes('access_token') || url.includes('%')) &&
    new URL(url, 'http://localhost').searchParams.has('access_token')
  ) {
    // RFC 6750 §2.3 is off: tokens in URLs leak into logs and caches.
    throw invalidRequest('Send the access token in the Authorization header.')
  }
  if (value === undefined) throw missingCredentials()
  return value
}
