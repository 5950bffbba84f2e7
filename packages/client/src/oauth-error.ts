/** The OAuth error of an endpoint's JSON error body (RFC 6749 §5.2, RFC 7009 §2.2.1), cleaned for a message. */
export interface OAuthError {
  readonly error: string
  readonly description: string | undefined
}

/** The OAuth error of a JSON error body, cleaned: printable ASCII, bounded, `redact` (the secret…) removed. */
export function oauthError(json: unknown, redact: readonly string[]): OAuthError | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const { error, error_description: description } = json as Record<string, unknown>
  if (typeof error !== 'string' || !/^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(error)) return undefined
  return {
    error: scrub(error, redact),
    description: typeof description === 'string' ? scrub(description, redact).slice(0, 300) : undefined,
  }
}

/** A server may echo what it was sent: never let the secret (or a token) through. */
function scrub(text: string, redact: readonly string[]): string {
  let clean = text.replace(/[^\x20-\x7E]/g, ' ')
  for (const value of redact) if (value !== '') clean = clean.replaceAll(value, '[redacted]')
  return clean
}

/** What the caller can do about an OAuth `error`; `''` when there is nothing specific to say. */
export function oauthErrorHint(error: string): string {
  switch (error) {
    case 'invalid_client':
      return 'Check the API key id and secret; the key may be revoked or disabled.'
    case 'invalid_scope':
      return 'Request only scopes the API key holds.'
    case 'invalid_target':
      return 'Check the resource or audience option: the server does not issue tokens for it.'
    case 'unauthorized_client':
      return 'The API key may not use the client_credentials grant.'
    case 'unsupported_token_type':
      return 'The server cannot revoke single access tokens: let the token expire, or revoke the API key.'
    default:
      return ''
  }
}
