import { type BasicCredentials, parseBasic } from '../basic/basic-credentials.js'
import { type BearerCredentials, parseBearer } from '../bearer/bearer-token.js'
import { invalidRequest } from '../refusals.js'

/** What an `Authorization` header carried. */
export type AuthorizationCredentials = BasicCredentials | BearerCredentials | { readonly scheme: 'other' }

/** Longest `Authorization` value read at all (bytes of UTF-16 code units); longer ones are malformed. */
export const MAX_AUTHORIZATION_LENGTH = 8192

// RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
const credentialsPattern = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/s

/**
 * Parses one `Authorization` header value. The scheme is case-insensitive (RFC 9110 §11.1); Basic
 * and Bearer values are parsed by their own rules. Throws `ERR_INVALID_REQUEST` for a malformed
 * Basic or Bearer value; a scheme Latchkey does not know is returned as `other`.
 */
export function parseAuthorization(value: string): AuthorizationCredentials {
  if (value.length > MAX_AUTHORIZATION_LENGTH) throw invalidRequest('The Authorization header is too long.')
  const match = credentialsPattern.exec(value)
  if (!match) throw invalidRequest('The Authorization header is malformed.')
  const scheme = match[1]?.toLowerCase()
  const rest = match[2] ?? ''
  if (scheme === 'basic') return parseBasic(rest)
  if (scheme === 'bearer') return parseBearer(rest)
  return { scheme: 'other' }
}

/** Every `Authorization` value of a Web request. */
export function authorizationValues(request: Request): string[] {
  const value = request.headers.get('authorization')
  return value === null ? [] : splitJoined(value)
}

/**
 * One value per header line. Fetch `Headers` join repeated lines with ", ", and Basic and Bearer
 * credentials never hold a comma, so such a value is split again: every adapter then shows the
 * core the same lines, and a request with two is refused alike.
 */
export function splitJoined(value: string): string[] {
  return /^(basic|bearer)\s/i.test(value) && value.includes(',') ? value.split(/\s*,\s*/) : [value]
}

/** The one `Authorization` value of a request, or `undefined`; more than one is `ERR_INVALID_REQUEST`. */
export function soleAuthorization(values: readonly string[]): string | undefined {
  if (values.length > 1) throw invalidRequest('The request has more than one Authorization header.')
  return values[0]
}
