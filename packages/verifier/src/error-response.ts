import { isLatchkeyError, type LatchkeyError, type LatchkeyErrorCode } from './errors.js'

/** Where an error arose: on a protected resource (RFC 6750) or at the token endpoint (RFC 6749 §5.2). */
export type ErrorContext = 'resource' | 'token'

/** An error as HTTP: what every adapter writes, byte for byte. */
/** An HTTP answer as plain parts, for adapters that write them without a Web `Response`. */
export interface HttpDescription {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** An error answer. */
export interface HttpErrorDescription extends HttpDescription {
  /** JSON text: `{"error": …, "error_description": …}` and, for `insufficient_scope`, `scope`. */
  readonly body: string
}

interface Entry {
  readonly status: number
  readonly error: string
  /** A fixed description; when absent, the error's own message (which never holds a secret) is used. */
  readonly description?: string
}

/**
 * The one mapping from error codes to HTTP. Every refusal of a credential uses a fixed description,
 * so unknown ids, wrong secrets and disabled or revoked keys answer with the same bytes.
 */
const table: Record<LatchkeyErrorCode, Entry> = {
  ERR_CREDENTIALS_MISSING: {
    status: 401,
    error: 'unauthorized',
    description: 'Authenticate with an API key (HTTP Basic) or a Bearer access token.',
  },
  ERR_INVALID_REQUEST: { status: 400, error: 'invalid_request' },
  ERR_INVALID_CREDENTIALS: { status: 401, error: 'invalid_client', description: 'The API key is not valid.' },
  ERR_INVALID_TOKEN: { status: 401, error: 'invalid_token', description: 'The access token is not valid.' },
  ERR_INSUFFICIENT_SCOPE: {
    status: 403,
    error: 'insufficient_scope',
    description: 'The request needs a scope the credentials lack.',
  },
  ERR_UNSUPPORTED_GRANT_TYPE: { status: 400, error: 'unsupported_grant_type' },
  ERR_INVALID_SCOPE: { status: 400, error: 'invalid_scope' },
  ERR_INVALID_TARGET: { status: 400, error: 'invalid_target' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, error: 'invalid_request' },
  ERR_STORE_UNAVAILABLE: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'The service cannot check credentials right now. Try again shortly.',
  },
  // RFC 6585 §4. No OAuth registry code fits a throttled client: slow_down belongs to device-flow
  // polling (RFC 8628 §3.5) and temporarily_unavailable to the whole service, so the code names the
  // status, and clients rely on Retry-After.
  ERR_TOO_MANY_ATTEMPTS: {
    status: 429,
    error: 'too_many_requests',
    description: 'Too many failed attempts. Retry after the number of seconds in Retry-After.',
  },
  ERR_NOT_FOUND: { status: 500, error: 'server_error', description: 'The server failed.' },
  ERR_INVALID_ARGUMENT: { status: 500, error: 'server_error', description: 'The server failed.' },
  ERR_KEY_REVOKED: { status: 500, error: 'server_error', description: 'The server failed.' },
}

/** RFC 6749 §5.2: at the token endpoint, a request without client authentication is `invalid_client`. */
const missingClient: Entry = {
  status: 401,
  error: 'invalid_client',
  description: 'Authenticate the client with HTTP Basic, or with client_id and client_secret in the body.',
}

const serverError: Entry = { status: 500, error: 'server_error', description: 'The server failed.' }

/**
 * Describes `error` as an HTTP response. Anything that is not a {@link LatchkeyError} becomes a
 * `500 server_error` that reveals nothing about it.
 */
export function describeError(error: unknown, context: ErrorContext, realm: string): HttpErrorDescription {
  const latchkeyError = isLatchkeyError(error) ? error : undefined
  const entry = !latchkeyError
    ? serverError
    : context === 'token' && latchkeyError.code === 'ERR_CREDENTIALS_MISSING'
      ? missingClient
      : table[latchkeyError.code]
  if (
    entry.description === undefined ||
    latchkeyError?.scope !== undefined ||
    latchkeyError?.retryAfter !== undefined
  ) {
    return build(latchkeyError, entry, context, realm)
  }
  // Refusals answer the same bytes every time: built once per code, context and realm.
  const cacheKey = `${context}\n${latchkeyError?.code ?? ''}\n${realm}`
  let answer = fixedAnswers.get(cacheKey)
  if (!answer) {
    answer = build(latchkeyError, entry, context, realm)
    if (fixedAnswers.size < 256) fixedAnswers.set(cacheKey, answer)
  }
  // A fresh headers object each time: some runtimes' Response (e.g. @hono/node-server) write into it.
  return { status: answer.status, headers: { ...answer.headers }, body: answer.body }
}

/** Answers that depend only on the code, the context and the realm. */
const fixedAnswers = new Map<string, HttpErrorDescription>()

function build(
  latchkeyError: LatchkeyError | undefined,
  entry: Entry,
  context: ErrorContext,
  realm: string,
): HttpErrorDescription {
  const description = toDescription(entry.description ?? latchkeyError?.message ?? '')
  const scope = latchkeyError?.code === 'ERR_INSUFFICIENT_SCOPE' ? (latchkeyError.scope ?? []).join(' ') : undefined

  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    // RFC 6749 §5.1/§5.2: token responses must not be cached; no error response should be either.
    'Cache-Control': 'no-store',
  }
  if (context === 'token') headers.Pragma = 'no-cache'
  const challenge = challengeFor(latchkeyError, context, realm, entry.error, description, scope)
  if (challenge) headers['WWW-Authenticate'] = challenge
  if (latchkeyError?.code === 'ERR_METHOD_NOT_ALLOWED') headers.Allow = (latchkeyError.allow ?? ['POST']).join(', ')
  if (latchkeyError?.code === 'ERR_STORE_UNAVAILABLE') headers['Retry-After'] = '1'
  if (latchkeyError?.code === 'ERR_TOO_MANY_ATTEMPTS') Object.assign(headers, rateLimitHeaders(latchkeyError))

  const body: Record<string, string> = { error: entry.error, error_description: description }
  if (scope !== undefined) body.scope = scope
  return { status: entry.status, headers, body: JSON.stringify(body) }
}

/**
 * RFC 9110 §10.2.3 `Retry-After`, and the `RateLimit-Limit`/`-Remaining`/`-Reset` fields of
 * draft-ietf-httpapi-ratelimit-headers (the -07 form most clients read): the failures allowed, none
 * left, and the seconds until the block ends.
 */
function rateLimitHeaders(error: LatchkeyError): Record<string, string> {
  const seconds = String(Math.max(1, Math.ceil(error.retryAfter ?? 1)))
  return {
    'Retry-After': seconds,
    'RateLimit-Limit': String(error.limit ?? 0),
    'RateLimit-Remaining': '0',
    'RateLimit-Reset': seconds,
  }
}

/** Turns a description into a Web `Response`. */
export function toResponse({ status, headers, body }: HttpDescription): Response {
  return new Response(body, { status, headers })
}

function challengeFor(
  error: LatchkeyError | undefined,
  context: ErrorContext,
  realm: string,
  code: string,
  description: string,
  scope: string | undefined,
): string | undefined {
  const basic = `Basic realm="${realm}", charset="UTF-8"`
  switch (error?.code) {
    // RFC 6750 §3.1: a request without credentials gets no error code, and both schemes are offered.
    case 'ERR_CREDENTIALS_MISSING':
      return context === 'token' ? basic : `${basic}, Bearer realm="${realm}"`
    // RFC 6749 §5.2: invalid_client answers 401 with the scheme the client may use.
    case 'ERR_INVALID_CREDENTIALS':
      return basic
    case 'ERR_INVALID_REQUEST':
    case 'ERR_INVALID_TOKEN':
      return context === 'resource' ? bearer(realm, code, description) : undefined
    case 'ERR_INSUFFICIENT_SCOPE':
      return `${bearer(realm, code, description)}, scope="${scope ?? ''}"`
    default:
      return undefined
  }
}

function bearer(realm: string, code: string, description: string): string {
  return `Bearer realm="${realm}", error="${code}", error_description="${description}"`
}

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E, so it also fits a quoted-string. */
function toDescription(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ')
}
