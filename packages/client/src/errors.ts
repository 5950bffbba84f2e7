/**
 * Every error the client raises carries a stable `code` from this closed union: `switch` on codes,
 * never on messages. Messages say what to do and never contain a secret or a token.
 */
export type LatchkeyClientErrorCode =
  /** An option is missing or invalid (a relative `tokenUrl`, `http://` to a remote host, a key id with `:` in Basic mode…). */
  | 'ERR_INVALID_OPTIONS'
  /** No credentials were found, or a source holds only half of them (an id without a secret). */
  | 'ERR_CREDENTIALS_MISSING'
  /** A key file named explicitly cannot be read. */
  | 'ERR_CREDENTIALS_FILE'
  /** An `apiKey.properties` text has a malformed escape; the message gives the line number. */
  | 'ERR_PROPERTIES_SYNTAX'
  /** The token or revocation endpoint refused the request with an OAuth error (`error.oauthError`: `invalid_client`, `invalid_scope`, `unsupported_token_type`…). */
  | 'ERR_OAUTH'
  /** The token or revocation endpoint answered an HTTP error without an OAuth error body (a 5xx, an HTML error page…), after any retries. */
  | 'ERR_TOKEN_HTTP'
  /** The token endpoint answered 2xx with a body that is not a usable Bearer token response, or an endpoint answered more than `maxResponseBytes`. */
  | 'ERR_TOKEN_RESPONSE'
  /** The token or revocation endpoint answered with a redirect; redirects are refused so the secret is never re-sent elsewhere. */
  | 'ERR_TOKEN_REDIRECT'
  /** The token or revocation endpoint could not be reached (connection refused or reset, DNS failure…), after any retries. */
  | 'ERR_NETWORK'
  /** The token or revocation endpoint did not answer within `timeout`, after any retries. */
  | 'ERR_TIMEOUT'
  /** The API answered 401 to a request whose body is a stream, which cannot be sent twice. */
  | 'ERR_AUTH_RETRY_NOT_POSSIBLE'
  /** The caller's `AbortSignal` aborted the call (`getToken`, `revoke`). */
  | 'ERR_ABORTED'
  /** The client was closed with `close()`. */
  | 'ERR_CLOSED'

const marker = Symbol.for('latchkey.client.error')

/** Options of {@link LatchkeyClientError}. */
export interface LatchkeyClientErrorOptions {
  /** The underlying error, passed through as `cause`. */
  readonly cause?: unknown
  /** The HTTP status that caused the error, when there was one. */
  readonly status?: number | undefined
  /** The OAuth `error` code of a token- or revocation-endpoint refusal (RFC 6749 §5.2, RFC 7009 §2.2.1). */
  readonly oauthError?: string | undefined
  /** The OAuth `error_description`, reduced to printable ASCII, with any secret or token removed. */
  readonly oauthErrorDescription?: string | undefined
  /** The API response that caused the error (for `ERR_AUTH_RETRY_NOT_POSSIBLE`). Its body is cancelled. */
  readonly response?: Response | undefined
}

/**
 * The error class of `@latchkey/client`. Use {@link isLatchkeyClientError} rather than `instanceof`:
 * it also recognises errors from another copy of the package.
 */
export class LatchkeyClientError extends Error {
  override readonly name = 'LatchkeyClientError'
  readonly code: LatchkeyClientErrorCode
  /** The HTTP status behind the error, if any. */
  readonly status: number | undefined
  /** The OAuth `error` code of a token- or revocation-endpoint refusal, if any. */
  readonly oauthError: string | undefined
  /** The OAuth `error_description` of a token- or revocation-endpoint refusal, sanitised, if any. */
  readonly oauthErrorDescription: string | undefined
  /** The API response behind the error, if any. */
  readonly response: Response | undefined
  readonly [marker] = true

  constructor(code: LatchkeyClientErrorCode, message: string, options: LatchkeyClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status
    this.oauthError = options.oauthError
    this.oauthErrorDescription = options.oauthErrorDescription
    this.response = options.response
  }
}

/** Whether `value` is a {@link LatchkeyClientError}, from this or any other copy of the package. */
export function isLatchkeyClientError(value: unknown): value is LatchkeyClientError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
}
