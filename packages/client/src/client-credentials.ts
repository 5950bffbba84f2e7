import type { ApiKey } from './api-key.js'
import { clientSecretBasic } from './basic-credentials.js'
import { type ClientLifetime, closedError } from './client-lifetime.js'
import type { Clock } from './clock.js'
import { LatchkeyClientError } from './errors.js'
import { type ClientHooks, emit, type TokenRequestReason } from './hooks.js'
import { BodyTooLargeError, readLimited } from './read-limited.js'
import { backoffDelay, parseRetryAfter, type RetryPolicy } from './retry.js'
import { type ExpiryLimits, parseTokenEndpointResponse, type TokenEndpointResponse } from './token-endpoint-response.js'

/** How the client authenticates to the token endpoint (RFC 6749 §2.3.1). */
export type ClientAuthentication = 'client_secret_basic' | 'client_secret_post'

/** Everything a token request needs, fixed when the client is created. */
export interface TokenRequestSettings {
  readonly tokenUrl: URL
  readonly apiKey: ApiKey
  readonly clientAuthentication: ClientAuthentication
  readonly resource: string | undefined
  readonly audience: string | undefined
  readonly fetch: typeof globalThis.fetch
  readonly clock: Clock
  /** Per attempt, covering the response body, in ms. */
  readonly timeout: number
  readonly maxResponseBytes: number
  readonly retry: RetryPolicy
  readonly expiry: ExpiryLimits
  readonly hooks: ClientHooks
  /** Ended by `close()`, which aborts a request in flight. */
  readonly lifetime: ClientLifetime
}

/** A token and when the request that obtained it was sent, on the monotonic clock. */
export interface ObtainedToken {
  readonly response: TokenEndpointResponse
  /** Expiry counts from here, not from when the answer arrived: the server's clock started no later. */
  readonly sentAt: number
}

type Attempt =
  | { readonly ok: true; readonly token: ObtainedToken; readonly status: number }
  | {
      readonly ok: false
      readonly error: LatchkeyClientError
      readonly retryable: boolean
      readonly retryAfter?: number
    }

/**
 * Requests an access token with the client-credentials grant (RFC 6749 §4.4), retrying 5xx, 429,
 * 408, timeouts and network errors with jittered backoff or `Retry-After`, within `retry.limit`
 * retries and `retry.maxElapsed` ms in all. Never retries an OAuth refusal such as `invalid_client`.
 */
export async function requestToken(
  settings: TokenRequestSettings,
  scope: string,
  reason: TokenRequestReason,
): Promise<ObtainedToken> {
  return settings.lifetime.during((closing) => requestUntilDone(settings, scope, reason, closing))
}

async function requestUntilDone(
  settings: TokenRequestSettings,
  scope: string,
  reason: TokenRequestReason,
  closing: AbortSignal,
): Promise<ObtainedToken> {
  const { clock, retry, hooks } = settings
  const base = { tokenUrl: settings.tokenUrl.href, clientId: settings.apiKey.id, scope, reason }
  const started = clock.now()
  for (let attempt = 1; ; attempt++) {
    emit(hooks, 'onTokenRequest', { ...base, attempt })
    const sentAt = clock.now()
    const result = await exchange(settings, scope, sentAt, closing)
    const duration = clock.now() - sentAt
    if (result.ok) {
      const { response } = result.token
      emit(hooks, 'onTokenResponse', {
        ...base,
        attempt,
        status: result.status,
        duration,
        expiresIn: response.expiresIn,
        expiresInDefaulted: response.expiresInDefaulted,
      })
      return result.token
    }
    const delay = result.retryAfter ?? backoffDelay(retry, attempt)
    const willRetry =
      result.retryable &&
      attempt <= retry.limit &&
      delay <= retry.maxDelay &&
      clock.now() - started + delay < retry.maxElapsed
    emit(hooks, 'onTokenError', {
      ...base,
      attempt,
      duration,
      error: result.error,
      willRetry,
      retryDelay: willRetry ? delay : undefined,
    })
    if (!willRetry) throw result.error
    try {
      await clock.sleep(delay, closing)
    } catch {
      throw closedError()
    }
  }
}

async function exchange(
  settings: TokenRequestSettings,
  scope: string,
  sentAt: number,
  closing: AbortSignal,
): Promise<Attempt> {
  const { apiKey } = settings
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (scope !== '') form.set('scope', scope)
  if (settings.resource !== undefined) form.set('resource', settings.resource)
  if (settings.audience !== undefined) form.set('audience', settings.audience)
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
  const signal = AbortSignal.any([closing, timeout])

  let response: Response
  let text: string
  try {
    response = await settings.fetch(settings.tokenUrl.href, {
      method: 'POST',
      headers,
      body: form.toString(),
      // A 307/308 would re-send the secret to wherever it points (security notes §3.16).
      redirect: 'manual',
      cache: 'no-store',
      signal,
    })
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      response.body?.cancel().catch(() => undefined)
      return fail(
        'ERR_TOKEN_REDIRECT',
        `The token endpoint answered a redirect (HTTP ${response.status}), which is refused so the secret is not re-sent elsewhere. Set tokenUrl to the final URL.`,
        false,
        { status: response.status },
      )
    }
    text = await readLimited(response, settings.maxResponseBytes)
  } catch (cause) {
    if (closing.aborted) return { ok: false, error: closedError(), retryable: false }
    if (timeout.aborted) {
      return fail(
        'ERR_TIMEOUT',
        `The token endpoint did not answer within ${settings.timeout} ms. Check that tokenUrl is reachable, or raise timeout.`,
        true,
        { cause },
      )
    }
    if (cause instanceof BodyTooLargeError) {
      return fail(
        'ERR_TOKEN_RESPONSE',
        `The token endpoint answered more than ${settings.maxResponseBytes} bytes; a token response is a few KB. Check tokenUrl, or raise maxResponseBytes.`,
        false,
        { cause },
      )
    }
    return fail(
      'ERR_NETWORK',
      `The token endpoint ${settings.tokenUrl.origin} could not be reached. Check tokenUrl and the network.`,
      true,
      { cause },
    )
  }

  const status = response.status
  const json = parseJson(text, response.headers.get('content-type'))
  if (response.ok) {
    if (json === undefined) {
      return fail(
        'ERR_TOKEN_RESPONSE',
        `The token endpoint answered HTTP ${status} without a JSON body. Check that tokenUrl is the OAuth token endpoint.`,
        false,
        { status },
      )
    }
    try {
      return { ok: true, status, token: { response: parseTokenEndpointResponse(json, settings.expiry), sentAt } }
    } catch (error) {
      return { ok: false, error: error as LatchkeyClientError, retryable: false }
    }
  }

  // RFC 9110 §10.2.3, RFC 6585 §4: the server says when to come back.
  const retryAfter =
    status === 429 || status === 503
      ? parseRetryAfter(response.headers.get('retry-after'), settings.clock.wallTime())
      : undefined
  const transient = status === 408 || status === 429 || status >= 500
  const oauth = oauthError(json, apiKey.secret)
  if (oauth) {
    // RFC 6749 §5.2: invalid_client, invalid_scope… are answers, not outages; asking again cannot help.
    const retryable = transient && oauth.error !== 'invalid_client'
    return fail(
      'ERR_OAUTH',
      `The token endpoint refused the request with ${oauth.error} (HTTP ${status})${oauth.description ? `: ${oauth.description}` : '.'} ${hint(oauth.error)}`.trim(),
      retryable,
      { status, oauthError: oauth.error, oauthErrorDescription: oauth.description },
      retryAfter,
    )
  }
  return fail(
    'ERR_TOKEN_HTTP',
    `The token endpoint answered HTTP ${status}${transient ? '; it may be down or overloaded' : ''}. Check tokenUrl, or try again later.`,
    transient,
    { status },
    retryAfter,
  )
}

function fail(
  code: LatchkeyClientError['code'],
  message: string,
  retryable: boolean,
  options: ConstructorParameters<typeof LatchkeyClientError>[2] = {},
  retryAfter?: number,
): Attempt {
  const error = new LatchkeyClientError(code, message, options)
  return retryAfter === undefined ? { ok: false, error, retryable } : { ok: false, error, retryable, retryAfter }
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

/** The OAuth error of a JSON error body (RFC 6749 §5.2), cleaned: printable ASCII, bounded, secret removed. */
function oauthError(json: unknown, secret: string): { error: string; description: string | undefined } | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const { error, error_description: description } = json as Record<string, unknown>
  if (typeof error !== 'string' || !/^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(error)) return undefined
  return {
    error: scrub(error, secret),
    description: typeof description === 'string' ? scrub(description, secret).slice(0, 300) : undefined,
  }
}

/** A server may echo what it was sent: never let the secret through. */
function scrub(text: string, secret: string): string {
  const clean = text.replace(/[^\x20-\x7E]/g, ' ')
  return secret === '' ? clean : clean.replaceAll(secret, '[redacted]')
}

function hint(error: string): string {
  switch (error) {
    case 'invalid_client':
      return 'Check the API key id and secret; the key may be revoked or disabled.'
    case 'invalid_scope':
      return 'Request only scopes the API key holds.'
    case 'invalid_target':
      return 'Check the resource or audience option: the server does not issue tokens for it.'
    case 'unauthorized_client':
      return 'The API key may not use the client_credentials grant.'
    default:
      return ''
  }
}
