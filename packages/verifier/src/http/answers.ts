import { type LatchkeyError, type LatchkeyErrorCode, toLatchkeyError } from '../errors.js'
import type { RateLimitStatus } from '../usage-limits/rate-limit-status.js'
import type { HttpAnswer } from './http-answer.js'

/**
 * Every status code, challenge and caching header Latchkey writes is in this module: the refusals
 * (RFC 6749 §5.2, RFC 6750 §3, RFC 7617 §2), and the successes of the token endpoint (RFC 6749 §5.1),
 * the JWKS and the metadata (RFC 8414 §3.2).
 */

/** Where an error arose: on a protected resource (RFC 6750) or at the token endpoint (RFC 6749 §5.2). */
export type ErrorContext = 'resource' | 'token'

/** One row of the error table. Internal. */
export interface ErrorEntry {
  readonly status: number
  readonly error: string
  /** A fixed description; when absent, the error's own message (which never holds a secret) is used. */
  readonly description?: string
}

/**
 * The one mapping from error codes to HTTP. Every refusal of a credential uses a fixed description,
 * so unknown ids, wrong secrets and disabled or revoked keys answer with the same bytes.
 */
const table: Record<LatchkeyErrorCode, ErrorEntry> = {
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
  ERR_UNSUPPORTED_TOKEN_TYPE: { status: 400, error: 'unsupported_token_type' },
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
  // Usage limits: 429 as well (RFC 6585 §4), each with its own code so that a client can tell a
  // window that ends (rate_limited) from a balance that is spent (credits_exhausted).
  ERR_RATE_LIMITED: {
    status: 429,
    error: 'rate_limited',
    description: 'The rate limit of the API key or its account is reached. Retry after the seconds in Retry-After.',
  },
  ERR_CREDITS_EXHAUSTED: {
    status: 429,
    error: 'credits_exhausted',
    description: 'The API key has too few credits left for this request.',
  },
  ERR_INTERNAL: { status: 500, error: 'server_error', description: 'The server failed.' },
  ERR_KEY_ENCRYPTION: { status: 500, error: 'server_error', description: 'The server failed.' },
  // Management errors never reach a request: should one, it is the server's fault.
  ERR_NOT_FOUND: { status: 500, error: 'server_error', description: 'The server failed.' },
  ERR_INVALID_ARGUMENT: { status: 500, error: 'server_error', description: 'The server failed.' },
  ERR_KEY_REVOKED: { status: 500, error: 'server_error', description: 'The server failed.' },
}

/** The table, for the test that holds the README's error table to it. Internal. */
export const errorTable: Readonly<Record<LatchkeyErrorCode, Readonly<ErrorEntry>>> = table

/** RFC 6749 §5.2: at the token endpoint, a request without client authentication is `invalid_client`. */
const missingClient: ErrorEntry = {
  status: 401,
  error: 'invalid_client',
  description: 'Authenticate the client with HTTP Basic, or with client_id and client_secret in the body.',
}

/** What every challenge of one verifier says besides the error: its realm and, for RFC 9728, its metadata's URL. */
export interface Challenge {
  /** The realm of every challenge. */
  readonly realm: string
  /** The absolute URL of the protected-resource metadata (RFC 9728 §5.1), on Bearer challenges of resources. */
  readonly resourceMetadata?: string | undefined
}

/**
 * The answer to `error`: the one mapping from errors to HTTP. Anything that is not a
 * {@link LatchkeyError} is `ERR_INTERNAL`, a `500 server_error` that reveals nothing about it.
 */
export function errorAnswer(error: unknown, context: ErrorContext, challenge: Challenge): HttpAnswer {
  const latchkeyError = toLatchkeyError(error)
  const entry =
    context === 'token' && latchkeyError.code === 'ERR_CREDENTIALS_MISSING' ? missingClient : table[latchkeyError.code]
  if (
    entry.description === undefined ||
    latchkeyError.scope !== undefined ||
    latchkeyError.retryAfter !== undefined ||
    latchkeyError.rateLimits !== undefined
  ) {
    return build(latchkeyError, entry, context, challenge)
  }
  // Refusals answer the same bytes every time: built once per code, context and challenge.
  const cacheKey = `${context}\n${latchkeyError.code}\n${challenge.realm}\n${challenge.resourceMetadata ?? ''}`
  let answer = fixedAnswers.get(cacheKey)
  if (!answer) {
    answer = build(latchkeyError, entry, context, challenge)
    if (fixedAnswers.size < 256) fixedAnswers.set(cacheKey, answer)
  }
  return fresh(answer)
}

/** Answers that depend only on the code, the context and the challenge. */
const fixedAnswers = new Map<string, HttpAnswer>()

// RFC 6749 §5.1: token responses, and by extension every answer that may carry credentials or
// refuse them, must not be cached.
const noStore = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } as const
const noStoreToken = { ...noStore, Pragma: 'no-cache' } as const

/** The 200 of a token request (RFC 6749 §5.1); `body` is the JSON of the token response. */
export function tokenAnswer(body: string): HttpAnswer {
  return { status: 200, headers: { ...noStoreToken }, body }
}

/**
 * RFC 7009 §2.2: the 200 of a revocation request, whether a token was revoked or there was none to
 * revoke. Clients ignore its body; an empty JSON object rather than none, so that every framework
 * writes it as it is (Koa and Fastify would label an empty body `text/plain` or `octet-stream`).
 */
export function revocationAnswer(): HttpAnswer {
  return { status: 200, headers: { ...noStore }, body: '{}' }
}

/**
 * The 200 of the JWKS or the metadata: public documents that change at most with a rotation,
 * which publishes a key long before it signs, so caches may keep them a few minutes.
 */
export function documentAnswer(document: unknown): HttpAnswer {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' },
    body: JSON.stringify(document),
  }
}

/** A fresh headers object each time: some runtimes' Response (e.g. @hono/node-server) write into it. */
function fresh(answer: HttpAnswer): HttpAnswer {
  return { status: answer.status, headers: { ...answer.headers }, body: answer.body }
}

function build(
  latchkeyError: LatchkeyError,
  entry: ErrorEntry,
  context: ErrorContext,
  challenge: Challenge,
): HttpAnswer {
  const description = toDescription(entry.description ?? latchkeyError.message)
  const scope = latchkeyError.code === 'ERR_INSUFFICIENT_SCOPE' ? (latchkeyError.scope ?? []).join(' ') : undefined

  const headers: Record<string, string> = context === 'token' ? { ...noStoreToken } : { ...noStore }
  const authenticate = challengeFor(latchkeyError, context, challenge, entry.error, description, scope)
  if (authenticate) headers['WWW-Authenticate'] = authenticate
  if (latchkeyError.code === 'ERR_METHOD_NOT_ALLOWED') headers.Allow = (latchkeyError.allow ?? ['POST']).join(', ')
  if (latchkeyError.code === 'ERR_STORE_UNAVAILABLE') headers['Retry-After'] = '1'
  if (latchkeyError.code === 'ERR_TOO_MANY_ATTEMPTS') Object.assign(headers, throttleHeaders(latchkeyError))
  if (latchkeyError.code === 'ERR_RATE_LIMITED' || latchkeyError.code === 'ERR_CREDITS_EXHAUSTED') {
    if (latchkeyError.rateLimits?.length) Object.assign(headers, refusalRateLimitFields(latchkeyError.rateLimits))
    if (latchkeyError.retryAfter !== undefined) headers['Retry-After'] = wholeSeconds(latchkeyError.retryAfter)
  }

  const body: Record<string, string> = { error: entry.error, error_description: description }
  if (scope !== undefined) body.scope = scope
  return { status: entry.status, headers, body: JSON.stringify(body) }
}

/**
 * The failure throttle's 429: RFC 9110 §10.2.3 `Retry-After`, and the RateLimit fields (see
 * {@link refusalRateLimitFields}) of one policy named `failures`: the failures allowed, none left, and the
 * seconds until the block ends.
 */
function throttleHeaders(error: LatchkeyError): Record<string, string> {
  const seconds = Number(wholeSeconds(error.retryAfter ?? 1))
  return {
    'Retry-After': String(seconds),
    ...refusalRateLimitFields([{ policy: 'failures', quota: error.limit ?? 0, remaining: 0, reset: seconds }]),
  }
}

/**
 * The RateLimit header fields of `statuses` (at least one), for a request served within its rate
 * limits: `RateLimit-Policy` ({@link rateLimitPolicyField}) and `RateLimit` ({@link rateLimitField}),
 * the two fields draft-ietf-httpapi-ratelimit-headers-10 (and -11) define.
 */
export function rateLimitFields(statuses: readonly RateLimitStatus[]): Record<string, string> {
  return { 'RateLimit-Policy': rateLimitPolicyField(statuses), RateLimit: rateLimitField(statuses) }
}

/**
 * `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers-10 §3): a Structured Field List
 * (RFC 9651) with one member per policy, `"key-10-1s";q=10;w=1`. It changes only with the policies,
 * so a caller may make it once per set of policies.
 */
export function rateLimitPolicyField(statuses: readonly RateLimitStatus[]): string {
  let field = ''
  for (const status of statuses) {
    const member = `"${status.policy}";q=${status.quota}${status.window === undefined ? '' : `;w=${status.window}`}`
    field = field === '' ? member : `${field}, ${member}`
  }
  return field
}

/** `RateLimit` (draft-ietf-httpapi-ratelimit-headers-10 §4): one member per policy, `"key-10-1s";r=3;t=1`. */
export function rateLimitField(statuses: readonly RateLimitStatus[]): string {
  let field = ''
  for (const status of statuses) {
    const member = `"${status.policy}";r=${status.remaining};t=${status.reset}`
    field = field === '' ? member : `${field}, ${member}`
  }
  return field
}

/**
 * The RateLimit fields of a 429 (a rate limit, spent credits or the failure throttle): the current
 * draft's two ({@link rateLimitFields}) and, for clients written against -07 that time their retry
 * by them, `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` of the policy closest to
 * exhaustion (fewest requests left; of those, the longest wait).
 */
export function refusalRateLimitFields(statuses: readonly RateLimitStatus[]): Record<string, string> {
  let closest = statuses[0] as RateLimitStatus
  for (const status of statuses) {
    if (
      status.remaining < closest.remaining ||
      (status.remaining === closest.remaining && status.reset > closest.reset)
    ) {
      closest = status
    }
  }
  return {
    ...rateLimitFields(statuses),
    'RateLimit-Limit': String(closest.quota),
    'RateLimit-Remaining': String(closest.remaining),
    'RateLimit-Reset': String(closest.reset),
  }
}

/** `seconds` as a `Retry-After` delay: whole seconds, rounded up, at least 1. */
function wholeSeconds(seconds: number): string {
  return String(Math.max(1, Math.ceil(seconds)))
}

function challengeFor(
  error: LatchkeyError,
  context: ErrorContext,
  { realm, resourceMetadata }: Challenge,
  code: string,
  description: string,
  scope: string | undefined,
): string | undefined {
  const basic = `Basic realm="${realm}", charset="UTF-8"`
  // RFC 9728 §5.1: where a resource server tells clients to find its metadata.
  const bearerRealm =
    context === 'resource' && resourceMetadata !== undefined
      ? `Bearer realm="${realm}", resource_metadata="${resourceMetadata}"`
      : `Bearer realm="${realm}"`
  switch (error.code) {
    // RFC 6750 §3.1: a request without credentials gets no error code, and both schemes are offered.
    case 'ERR_CREDENTIALS_MISSING':
      return context === 'token' ? basic : `${basic}, ${bearerRealm}`
    // RFC 6749 §5.2: invalid_client answers 401 with the scheme the client may use.
    case 'ERR_INVALID_CREDENTIALS':
      return basic
    case 'ERR_INVALID_REQUEST':
    case 'ERR_INVALID_TOKEN':
      return context === 'resource' ? bearer(bearerRealm, code, description) : undefined
    case 'ERR_INSUFFICIENT_SCOPE':
      return `${bearer(bearerRealm, code, description)}, scope="${scope ?? ''}"`
    default:
      return undefined
  }
}

function bearer(bearerRealm: string, code: string, description: string): string {
  return `${bearerRealm}, error="${code}", error_description="${description}"`
}

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E, so it also fits a quoted-string. */
function toDescription(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ')
}
