import {
  type EndpointFailure,
  type EndpointSettings,
  failure,
  type OAuthEndpoint,
  postWithClientAuthentication,
} from './client-authenticated-post.js'
import { closedError } from './client-lifetime.js'
import type { LatchkeyClientError } from './errors.js'
import { type ClientHooks, emit, type TokenRequestReason } from './hooks.js'
import { backoffDelay, type RetryPolicy } from './retry.js'
import { type ExpiryLimits, parseTokenEndpointResponse, type TokenEndpointResponse } from './token-endpoint-response.js'

/** Everything a token request needs, fixed when the client is created. */
export interface TokenRequestSettings extends EndpointSettings {
  readonly tokenUrl: URL
  readonly resource: string | undefined
  readonly audience: string | undefined
  readonly retry: RetryPolicy
  readonly expiry: ExpiryLimits
  readonly hooks: ClientHooks
}

/** A token and when the request that obtained it was sent, on the monotonic clock. */
export interface ObtainedToken {
  readonly response: TokenEndpointResponse
  /** Expiry counts from here, not from when the answer arrived: the server's clock started no later. */
  readonly sentAt: number
}

type Attempt = { readonly ok: true; readonly token: ObtainedToken; readonly status: number } | EndpointFailure

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
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (scope !== '') form.set('scope', scope)
  if (settings.resource !== undefined) form.set('resource', settings.resource)
  if (settings.audience !== undefined) form.set('audience', settings.audience)
  const answer = await postWithClientAuthentication(settings, {
    endpoint: tokenEndpoint(settings.tokenUrl),
    form,
    closing,
  })
  if (!answer.ok) return answer
  const { status, json } = answer
  if (json === undefined) {
    return failure(
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

function tokenEndpoint(url: URL): OAuthEndpoint {
  return { url, name: 'token endpoint', option: 'tokenUrl', expectedSize: 'a token response is a few KB' }
}
