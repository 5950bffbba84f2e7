import { abortedError } from './abortable.js'
import type { ApiKey } from './api-key.js'
import { clientSecretBasic } from './basic-credentials.js'
import { type ClientLifetime, closedError } from './client-lifetime.js'
import type { Clock } from './clock.js'
import { LatchkeyClientError, type LatchkeyClientErrorOptions } from './errors.js'
import { oauthError, oauthErrorHint } from './oauth-error.js'
import { BodyTooLargeError, readLimited } from './read-limited.js'
import { parseRetryAfter } from './retry.js'

/** How the client authenticates to the token and revocation endpoints (RFC 6749 §2.3.1, RFC 7009 §2.1). */
export type ClientAuthentication = 'client_secret_basic' | 'client_secret_post'

/** What every request to an OAuth endpoint needs, fixed when the client is created. */
export interface EndpointSettings {
  readonly apiKey: ApiKey
  readonly clientAuthentication: ClientAuthentication
  readonly fetch: typeof globalThis.fetch
  readonly clock: Clock
  /** Per attempt, covering the response body, in ms. */
  readonly timeout: number
  readonly maxResponseBytes: number
  /** Ended by `close()`, which aborts a request in flight. */
  readonly lifetime: ClientLifetime
}

/** An OAuth endpoint, as messages name it. */
export interface OAuthEndpoint {
  readonly url: URL
  /** `'token endpoint'`, `'revocation endpoint'`. */
  readonly name: string
  /** The option that sets `url`, for messages that say what to fix. */
  readonly option: string
  /** What its answers look like, for the message about an oversized one. */
  readonly expectedSize: string
}

/** One POST to an OAuth endpoint. */
export interface ClientAuthenticatedPost {
  readonly endpoint: OAuthEndpoint
  /** The parameters; the client's credentials are added to it under `client_secret_post`. */
  readonly form: URLSearchParams
  /** Aborted by `close()`: the failure is then `ERR_CLOSED`. */
  readonly closing: AbortSignal
  /** The caller's, for a request no one else waits for: the failure is then `ERR_ABORTED`. */
  readonly signal?: AbortSignal | undefined
  /** What the form carries besides the secret that no message may show (the token being revoked). */
  readonly redact?: readonly string[]
}

/** A 2xx answer: its status and its body as JSON, `undefined` when it is not JSON. */
export interface EndpointSuccess {
  readonly ok: true
  readonly status: number
  readonly json: unknown
}

/** A failed request, and whether asking again might help. */
export interface EndpointFailure {
  readonly ok: false
  readonly error: LatchkeyClientError
  /** 5xx, 408, 429, a timeout or a network error, but never an `invalid_client`. */
  readonly retryable: boolean
  /** The server's `Retry-After`, in ms. */
  readonly retryAfter?: number
}

/**
 * POSTs a form to an OAuth endpoint with the client authenticated as `clientAuthentication` says
 * (RFC 6749 §2.3.1), and classifies the answer. Redirects are refused and the body is read up to
 * `maxResponseBytes` within `timeout`. Every failure is returned, never thrown; no message holds the
 * secret or anything in `redact`.
 */
export async function postWithClientAuthentication(
  settings: EndpointSettings,
  post: ClientAuthenticatedPost,
): Promise<EndpointSuccess | EndpointFailure> {
  const { apiKey } = settings
  const { endpoint, form, closing, signal } = post
  const headers = new Headers({
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  })
  if (settings.clientAuthentication === 'client_secret_basic') {
    headers.set('authorization', clientSecretBasic(apiKey.id, apiKey.secret))
  } else {
    form.set('client_id', apiKey.id)
    form.set('client_secret', apiKey.secret)
  }
  const timeout = AbortSignal.timeout(settings.timeout)
  const { name, option } = endpoint

  let response: Response
  let text: string
  try {
    response = await settings.fetch(endpoint.url.href, {
      method: 'POST',
      headers,
      body: form.toString(),
      // A 307/308 would re-send the secret to wherever it points (security notes §3.16).
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.any(signal ? [closing, timeout, signal] : [closing, timeout]),
    })
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      response.body?.cancel().catch(() => undefined)
      return failure(
        'ERR_TOKEN_REDIRECT',
        `The ${name} answered a redirect (HTTP ${response.status}), which is refused so the secret is not re-sent elsewhere. Set ${option} to the final URL.`,
        false,
        { status: response.status },
      )
    }
    text = await readLimited(response, settings.maxResponseBytes)
  } catch (cause) {
    if (closing.aborted) return { ok: false, error: closedError(), retryable: false }
    if (signal?.aborted) return { ok: false, error: abortedError(signal), retryable: false }
    if (timeout.aborted) {
      return failure(
        'ERR_TIMEOUT',
        `The ${name} did not answer within ${settings.timeout} ms. Check that ${option} is reachable, or raise timeout.`,
        true,
        { cause },
      )
    }
    if (cause instanceof BodyTooLargeError) {
      return failure(
        'ERR_TOKEN_RESPONSE',
        `The ${name} answered more than ${settings.maxResponseBytes} bytes; ${endpoint.expectedSize}. Check ${option}, or raise maxResponseBytes.`,
        false,
        { cause },
      )
    }
    return failure(
      'ERR_NETWORK',
      `The ${name} ${endpoint.url.origin} could not be reached. Check ${option} and the network.`,
      true,
      { cause },
    )
  }

  const status = response.status
  const json = parseJson(text, response.headers.get('content-type'))
  if (response.ok) return { ok: true, status, json }

  // RFC 9110 §10.2.3, RFC 6585 §4: the server says when to come back.
  const retryAfter =
    status === 429 || status === 503
      ? parseRetryAfter(response.headers.get('retry-after'), settings.clock.wallTime())
      : undefined
  const transient = status === 408 || status === 429 || status >= 500
  const later = transient ? laterHint(retryAfter) : ''
  const oauth = oauthError(json, [apiKey.secret, ...(post.redact ?? [])])
  if (oauth) {
    // RFC 6749 §5.2: invalid_client, invalid_scope… are answers, not outages; asking again cannot help.
    const retryable = transient && oauth.error !== 'invalid_client'
    const hint = oauthErrorHint(oauth.error) || (retryable ? later : '')
    return failure(
      'ERR_OAUTH',
      `The ${name} refused the request with ${oauth.error} (HTTP ${status})${oauth.description ? `: ${oauth.description}` : '.'} ${hint}`.trim(),
      retryable,
      { status, oauthError: oauth.error, oauthErrorDescription: oauth.description },
      retryAfter,
    )
  }
  return failure(
    'ERR_TOKEN_HTTP',
    `The ${name} answered HTTP ${status}${transient ? `; it may be down or overloaded. ${later}` : `. Check ${option}, or try again later.`}`,
    transient,
    { status },
    retryAfter,
  )
}

/** An {@link EndpointFailure} with a new error. */
export function failure(
  code: LatchkeyClientError['code'],
  message: string,
  retryable: boolean,
  options: LatchkeyClientErrorOptions = {},
  retryAfter?: number,
): EndpointFailure {
  const error = new LatchkeyClientError(code, message, options)
  return retryAfter === undefined ? { ok: false, error, retryable } : { ok: false, error, retryable, retryAfter }
}

function laterHint(retryAfter: number | undefined): string {
  return retryAfter === undefined
    ? 'Try again later.'
    : `Try again in ${Math.max(1, Math.ceil(retryAfter / 1000))} s (Retry-After).`
}

function parseJson(text: string, contentType: string | null): unknown {
  // RFC 6749 §5.1: application/json. Also accept +json types; an HTML error page is not a token.
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase() ?? ''
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
