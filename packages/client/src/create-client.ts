import { type ApiKey, redactedApiKey } from './api-key.js'
import { authorizedInit, requestMethod } from './authorized-init.js'
import { httpBasic } from './basic-credentials.js'
import { type ClientAuthentication, requestToken, type TokenRequestSettings } from './client-credentials.js'
import { type Clock, systemClock } from './clock.js'
import { assertSecureUrl, parseUrlOption } from './endpoint-url.js'
import { isLatchkeyClientError, LatchkeyClientError } from './errors.js'
import { type ClientHooks, emit } from './hooks.js'
import { isReplayableBody } from './request-body.js'
import { type RetryOptions, retryPolicy } from './retry.js'
import { normalizeScope } from './scope.js'
import { TokenCache } from './token-cache.js'
import type { TokenStore } from './token-store.js'

/** How requests are authenticated. */
export type ClientMode =
  /** OAuth2 client credentials (RFC 6749 §4.4): the key is exchanged for cached Bearer tokens. */
  | 'client_credentials'
  /** HTTP Basic (RFC 7617): the key id and secret on every request; no token traffic. */
  | 'basic'

/** Options of {@link createClient}. Durations are in milliseconds. */
export interface ClientOptions {
  /** How requests are authenticated. Default: `'client_credentials'`. */
  readonly mode?: ClientMode
  /** The API key. Use `@latchkey/client/node` to load it from `apiKey.properties` or the environment. */
  readonly apiKey: ApiKey
  /** Base of relative request URLs (resolved like `new URL(input, baseUrl)`), and of the default `tokenUrl`. Default: none. */
  readonly baseUrl?: string | URL
  /** The token endpoint. Default: `<baseUrl>/oauth/token`; required in client-credentials mode without `baseUrl`. */
  readonly tokenUrl?: string | URL
  /** Scopes to request, as `'read write'` or `['read', 'write']`. Default: none, so the server grants its default. */
  readonly scope?: string | readonly string[]
  /** Sent as the `audience` parameter (Auth0 and others). Part of the cache key. Default: not sent. */
  readonly audience?: string
  /** Sent as the RFC 8707 `resource` parameter (Latchkey: must equal the issuer). Part of the cache key. Default: not sent. */
  readonly resource?: string
  /** How the key is presented to the token endpoint (RFC 6749 §2.3.1). Default: `'client_secret_basic'`. */
  readonly clientAuthentication?: ClientAuthentication
  /** Allow `http://` to hosts other than loopback (credentials then cross the network unencrypted). Default: `false`. */
  readonly allowInsecureHttp?: boolean
  /** The `fetch` used for token and API requests. Default: `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch
  /** Monotonic time, wall time and sleeping. Default: `performance.now`, `Date.now` and an unref'd `setTimeout`. */
  readonly clock?: Clock
  /** Longest wait for one token request attempt, response body included, in ms. Default: 10,000. */
  readonly timeout?: number
  /** Largest token response read, in bytes. Default: 65,536. */
  readonly maxResponseBytes?: number
  /** Retries of token requests after 5xx, 429, timeouts and network errors. Default: see {@link RetryOptions}. */
  readonly retry?: RetryOptions
  /** Lifetime assumed when `expires_in` is missing, zero, negative or not a number, in ms. Default: 60,000. */
  readonly defaultTokenLifetime?: number
  /** Longer lifetimes are cut to this, in ms (at most 2³¹−1). Default: 86,400,000 (a day). */
  readonly maxTokenLifetime?: number
  /** Margin before expiry within which a token is no longer sent, in ms (capped at a quarter of its lifetime). Default: 30,000. */
  readonly expirySkew?: number
  /** Window before that margin within which the token is still sent while one refresh runs, in ms (capped at half its lifetime). Default: 60,000. */
  readonly refreshWindow?: number
  /** Shares tokens across processes. Default: none (each client caches in memory). */
  readonly tokenStore?: TokenStore
  /** Observability hooks; they never see a secret or a token. Default: none. */
  readonly hooks?: ClientHooks
}

/** `fetch`'s `RequestInit`, plus the scope to authenticate this call with. */
export interface ClientRequestInit extends RequestInit {
  /** Scopes for this call's token, overriding the client's `scope`. Client-credentials mode only. */
  scope?: string | readonly string[]
}

/** Options of {@link Client.getToken}. */
export interface GetTokenOptions {
  /** Scopes for this token, overriding the client's `scope`. */
  readonly scope?: string | readonly string[]
  /** Stops this caller's wait (with `ERR_ABORTED`) without cancelling the shared token request. */
  readonly signal?: AbortSignal
  /** Request a new token even when a cached one is fresh. Default: `false`. */
  readonly forceRefresh?: boolean
}

/** Options of {@link Client.invalidate}. */
export interface InvalidateOptions {
  /** The token the API refused; without it, every cached token is forgotten. */
  readonly token?: string
  /** The scope that token was obtained for. Default: the client's `scope`. */
  readonly scope?: string | readonly string[]
}

/** An authenticated `fetch` and its token cache. */
export interface Client {
  readonly mode: ClientMode
  /**
   * `fetch` with credentials added. Like `fetch`, it resolves with any HTTP status and rejects on
   * network errors and aborts (with the signal's reason). In client-credentials mode a 401 is answered
   * once: the token is dropped, a new one obtained and the request sent again; a second 401 is
   * returned as is. A body that cannot be replayed (a stream) is never buffered: its 401 throws
   * `ERR_AUTH_RETRY_NOT_POSSIBLE`. Token-endpoint failures throw a {@link LatchkeyClientError}.
   */
  fetch(input: string | URL | Request, init?: ClientRequestInit): Promise<Response>
  /** A valid access token, from the cache or the token endpoint. Client-credentials mode only. */
  getToken(options?: GetTokenOptions): Promise<string>
  /**
   * The `Authorization` header value for a request: `Bearer <token>`, or `Basic …` in Basic mode.
   * For HTTP libraries other than `fetch` and ky; call {@link Client.invalidate} with the token on a 401.
   */
  authorization(options?: GetTokenOptions): Promise<string>
  /**
   * Forgets cached tokens (here and in the `tokenStore`), so the next call requests one. With
   * `token`, forgets it only if it is still the cached one for `scope` (a 401 answered to it), so a
   * token another caller already refreshed is kept.
   */
  invalidate(options?: InvalidateOptions): Promise<void>
  /** Cancels pending token requests and backoffs and forgets tokens; later calls throw `ERR_CLOSED`. */
  close(): Promise<void>
}

/**
 * Creates an authenticated `fetch` for an API secured with API keys: HTTP Basic, or OAuth2 client
 * credentials against any RFC 6749 token endpoint, with cached tokens refreshed before they expire.
 *
 * @example
 * const client = createClient({ tokenUrl: 'https://api.example.com/oauth/token', apiKey: { id, secret }, scope: 'read' })
 * const response = await client.fetch('https://api.example.com/things')
 */
export function createClient(options: ClientOptions): Client {
  const mode = options.mode ?? 'client_credentials'
  if (mode !== 'client_credentials' && mode !== 'basic') {
    throw invalidOption(`mode must be 'client_credentials' or 'basic'.`)
  }
  if ((options as { apiKeyFile?: unknown }).apiKeyFile !== undefined) {
    throw invalidOption(`apiKeyFile needs file access: import { createClient } from '@latchkey/client/node'.`)
  }
  const apiKey = checkApiKey(options.apiKey, mode)
  const allowInsecureHttp = options.allowInsecureHttp ?? false
  const baseUrl = options.baseUrl === undefined ? undefined : parseUrlOption(options.baseUrl, 'baseUrl')
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const defaultScope = normalizeScope(options.scope)
  const hooks = options.hooks ?? {}
  const controller = new AbortController()
  const closed = controller.signal

  // The last string input and its checked URL: resolving and checking the same URL call after call
  // is most of what the client adds to a cached-token call. Never mutated, so it can be shared.
  let lastInput: string | undefined
  let lastTarget: URL | undefined

  /** The URL a string or URL input names, resolved against `baseUrl` and checked. */
  function target(input: string | URL): URL {
    if (input === lastInput && lastTarget !== undefined) return lastTarget
    let url: URL
    try {
      url = baseUrl ? new URL(input, baseUrl) : new URL(input)
    } catch (cause) {
      throw invalidOption('The request URL is relative: pass an absolute URL, or set baseUrl.', cause)
    }
    assertSecureUrl(url, 'The request URL', allowInsecureHttp)
    if (typeof input === 'string') {
      lastInput = input
      lastTarget = url
    }
    return url
  }

  /** A Request input with `init` applied, checked; a Request is only built when the caller passed one. */
  function fromRequest(input: Request, init: ClientRequestInit | undefined): Request {
    const { scope: _, ...requestInit } = init ?? {}
    const request = new Request(input, requestInit)
    assertSecureUrl(new URL(request.url), 'The request URL', allowInsecureHttp)
    return request
  }

  function assertOpen(): void {
    if (closed.aborted) {
      throw new LatchkeyClientError('ERR_CLOSED', 'The client was closed; create a new one to make more calls.')
    }
  }

  if (mode === 'basic') {
    const authorization = httpBasic(apiKey.id, apiKey.secret)
    return {
      mode,
      fetch(input, init) {
        try {
          assertOpen()
          if (input instanceof Request) {
            const request = fromRequest(input, init)
            request.headers.set('authorization', authorization)
            return fetchImpl(request)
          }
          return fetchImpl(target(input).href, authorizedInit(init, authorization))
        } catch (error) {
          return Promise.reject(error)
        }
      },
      async getToken() {
        throw invalidOption(`getToken() needs mode 'client_credentials'; in Basic mode there are no tokens.`)
      },
      async authorization() {
        assertOpen()
        return authorization
      },
      async invalidate() {},
      async close() {
        controller.abort()
      },
    }
  }

  const tokenUrl = tokenUrlOf(options.tokenUrl, baseUrl)
  assertSecureUrl(tokenUrl, 'tokenUrl', allowInsecureHttp)
  const timeout = positive('timeout', options.timeout ?? 10_000, 2 ** 31 - 1)
  const settings: TokenRequestSettings = {
    tokenUrl,
    apiKey,
    clientAuthentication: clientAuthenticationOf(options.clientAuthentication),
    resource: options.resource,
    audience: options.audience,
    fetch: fetchImpl,
    clock: options.clock ?? systemClock,
    timeout,
    maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes ?? 65_536, 2 ** 30),
    retry: retryPolicy(options.retry),
    expiry: {
      defaultExpiresIn: positive('defaultTokenLifetime', options.defaultTokenLifetime ?? 60_000, 2 ** 31 - 1) / 1000,
      maxExpiresIn: positive('maxTokenLifetime', options.maxTokenLifetime ?? 86_400_000, 2 ** 31 - 1) / 1000,
    },
    hooks,
    closed,
  }
  const describe = (scope: string) => ({ tokenUrl: tokenUrl.href, clientId: apiKey.id, scope })
  const tokens = new TokenCache({
    clock: settings.clock,
    hooks,
    store: options.tokenStore,
    closed,
    expirySkew: nonNegative('expirySkew', options.expirySkew ?? 30_000),
    refreshWindow: nonNegative('refreshWindow', options.refreshWindow ?? 60_000),
    keyFor: (scope) =>
      JSON.stringify([tokenUrl.href, apiKey.id, scope, options.audience ?? null, options.resource ?? null]),
    describe,
    requestToken: (scope, reason) => requestToken(settings, scope, reason),
  })
  const scopeOf = (scope: string | readonly string[] | undefined): string =>
    scope === undefined ? defaultScope : normalizeScope(scope)

  /**
   * After a 401 to `token`: drops it and returns the token to retry with (a newer one another caller
   * cached, or a new one), or throws when the body cannot be sent again.
   */
  async function afterUnauthorized(
    response: Response,
    replayable: boolean,
    scope: string,
    token: string,
    signal: AbortSignal | null | undefined,
  ): Promise<{ token: string; reusedNewerToken: boolean }> {
    // Not awaited: a cancel can stay pending while another branch of a teed body is unread.
    response.body?.cancel().catch(() => undefined)
    if (!replayable) {
      throw new LatchkeyClientError(
        'ERR_AUTH_RETRY_NOT_POSSIBLE',
        'The API refused the access token (401) and the request body is a stream, which cannot be sent twice. Send it again (the token was dropped), or pass a string, buffer, Blob, FormData or URLSearchParams body to get the automatic retry.',
        { status: 401, response },
      )
    }
    const invalidated = await tokens.invalidate(scope, token)
    return { token: await fetchToken(() => tokens.get(scope, { signal }), signal), reusedNewerToken: !invalidated }
  }

  /**
   * A call to a string or URL: `fetch(url, init)` with the header added, as a plain call would be
   * made. With `cached`, a fresh token from memory, nothing is awaited before `fetch`.
   */
  async function fetchUrl(
    url: URL,
    init: ClientRequestInit | undefined,
    scope: string,
    cached: string | undefined,
  ): Promise<Response> {
    const replayable = isReplayableBody(init?.body)
    const signal = init?.signal
    const token = cached ?? (await fetchToken(() => tokens.get(scope, { signal, fresh: !replayable }), signal))
    const response = await fetchImpl(url.href, authorizedInit(init, `Bearer ${token}`))
    if (response.status !== 401) return response
    const retry = await afterUnauthorized(response, replayable, scope, token, signal)
    emit(hooks, 'onAuthRetry', {
      method: requestMethod(init?.method),
      url: url.origin + url.pathname,
      reusedNewerToken: retry.reusedNewerToken,
    })
    return fetchImpl(url.href, authorizedInit(init, `Bearer ${retry.token}`))
  }

  /** A call with a Request input, whose body and signal only the Request knows. */
  async function fetchRequest(input: Request, init: ClientRequestInit | undefined, scope: string): Promise<Response> {
    const request = fromRequest(input, init)
    // A Request's own body is a stream we cannot see into; a body given in init we can send again.
    const replayable = request.body === null || (init?.body !== undefined && isReplayableBody(init.body))
    const signal = request.signal
    const token = await fetchToken(() => tokens.get(scope, { signal, fresh: !replayable }), signal)
    request.headers.set('authorization', `Bearer ${token}`)
    const response = await fetchImpl(request)
    if (response.status !== 401) return response
    const retry = await afterUnauthorized(response, replayable, scope, token, signal)
    const again = fromRequest(input, init)
    again.headers.set('authorization', `Bearer ${retry.token}`)
    const url = new URL(again.url)
    emit(hooks, 'onAuthRetry', {
      method: again.method,
      url: url.origin + url.pathname,
      reusedNewerToken: retry.reusedNewerToken,
    })
    return fetchImpl(again)
  }

  return {
    mode,
    fetch(input, init) {
      // Not an async function: a fresh cached token goes to fetch with no promise in between.
      try {
        assertOpen()
        const scope = scopeOf(init?.scope)
        if (input instanceof Request) return fetchRequest(input, init, scope)
        return fetchUrl(target(input), init, scope, tokens.peek(scope))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    getToken(getOptions = {}) {
      return tokens.get(scopeOf(getOptions.scope), {
        signal: getOptions.signal,
        forceRefresh: getOptions.forceRefresh ?? false,
      })
    },
    async authorization(getOptions = {}) {
      return `Bearer ${await this.getToken(getOptions)}`
    },
    async invalidate(invalidateOptions = {}) {
      if (invalidateOptions.token === undefined) return tokens.clear()
      await tokens.invalidate(scopeOf(invalidateOptions.scope), invalidateOptions.token)
    },
    async close() {
      controller.abort()
      await tokens.clear()
    },
  }
}

/** Waits for a token; an abort rejects with the signal's reason, as `fetch` itself would. */
async function fetchToken(get: () => Promise<string>, signal: AbortSignal | null | undefined): Promise<string> {
  try {
    return await get()
  } catch (error) {
    if (isLatchkeyClientError(error) && error.code === 'ERR_ABORTED' && signal?.aborted) throw signal.reason
    throw error
  }
}

function checkApiKey(apiKey: ApiKey | undefined, mode: ClientMode): ApiKey {
  if (typeof apiKey?.id !== 'string' || apiKey.id === '') {
    throw new LatchkeyClientError(
      'ERR_CREDENTIALS_MISSING',
      'apiKey.id is missing: pass apiKey: { id, secret }, or load apiKey.properties with @latchkey/client/node.',
    )
  }
  if (typeof apiKey.secret !== 'string' || apiKey.secret === '') {
    throw new LatchkeyClientError(
      'ERR_CREDENTIALS_MISSING',
      'apiKey.secret is missing: pass apiKey: { id, secret }, or load apiKey.properties with @latchkey/client/node.',
    )
  }
  // RFC 7617 §2: the user-id of Basic cannot contain a colon. (At the token endpoint it is form-encoded.)
  if (mode === 'basic' && apiKey.id.includes(':')) {
    throw invalidOption(`apiKey.id contains ':', which HTTP Basic cannot carry; use mode 'client_credentials'.`)
  }
  return redactedApiKey(apiKey)
}

function tokenUrlOf(tokenUrl: string | URL | undefined, baseUrl: URL | undefined): URL {
  if (tokenUrl !== undefined) return parseUrlOption(tokenUrl, 'tokenUrl')
  if (!baseUrl)
    throw invalidOption(`Set tokenUrl (or baseUrl, for <baseUrl>/oauth/token) in mode 'client_credentials'.`)
  return new URL(`${baseUrl.pathname.replace(/\/+$/, '')}/oauth/token`, baseUrl)
}

function clientAuthenticationOf(value: ClientAuthentication | undefined): ClientAuthentication {
  if (value === undefined) return 'client_secret_basic'
  if (value !== 'client_secret_basic' && value !== 'client_secret_post') {
    throw invalidOption(`clientAuthentication must be 'client_secret_basic' or 'client_secret_post'.`)
  }
  return value
}

function positive(name: string, value: number, max: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > max) throw invalidOption(`${name} must be > 0 and ≤ ${max}.`)
  return value
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw invalidOption(`${name} must be a finite number ≥ 0.`)
  return value
}

function invalidOption(message: string, cause?: unknown): LatchkeyClientError {
  return new LatchkeyClientError('ERR_INVALID_OPTIONS', message, cause === undefined ? {} : { cause })
}
