import { abortable } from './abortable.js'
import { authorizedInit, requestMethod } from './authorized-init.js'
import type { Client, ClientRequestInit, RevokeOptions } from './client.js'
import type { ClientLifetime } from './client-lifetime.js'
import { isLatchkeyClientError, LatchkeyClientError } from './errors.js'
import { type ClientHooks, emit } from './hooks.js'
import { invalidOption } from './option-checks.js'
import { isReplayableBody } from './request-body.js'
import type { RequestTarget } from './request-target.js'
import { normalizeScope } from './scope.js'
import type { TokenCache } from './token-cache.js'

/** What a client-credentials-mode client is built from, checked by `createClient`. */
export interface BearerClientParts {
  readonly fetch: typeof globalThis.fetch
  readonly target: RequestTarget
  readonly tokens: TokenCache
  readonly hooks: ClientHooks
  /** The normalized `scope` option, used when a call names none. */
  readonly defaultScope: string
  /** Ended by `close()`. */
  readonly lifetime: ClientLifetime
  /** Revokes one token at the revocation endpoint; rejects with the failure. */
  readonly revoke: (token: string, signal: AbortSignal | undefined) => Promise<void>
}

/**
 * A client-credentials-mode {@link Client} (RFC 6749 §4.4, RFC 6750): Bearer tokens from `tokens`,
 * and one retry with a new token after a 401.
 */
export function bearerClient(parts: BearerClientParts): Client {
  const { tokens, target, lifetime } = parts
  // Only `authorization` uses `this`; `client.fetch` can be handed on detached, as a `fetch` implementation.
  return {
    mode: 'client_credentials',
    fetch(input, init) {
      // Not an async function: a fresh cached token goes to fetch with no promise in between.
      try {
        lifetime.assertOpen()
        const scope = scopeOf(parts, init?.scope)
        if (input instanceof Request) return fetchRequest(parts, input, init, scope)
        return fetchUrl(parts, target.url(input), init, scope, tokens.peek(scope))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    getToken(getOptions = {}) {
      return tokens.get(scopeOf(parts, getOptions.scope), {
        signal: getOptions.signal,
        forceRefresh: getOptions.forceRefresh ?? false,
      })
    },
    async authorization(getOptions = {}) {
      return `Bearer ${await this.getToken(getOptions)}`
    },
    async invalidate(invalidateOptions = {}) {
      if (invalidateOptions.token === undefined) return tokens.clear()
      await tokens.invalidate(scopeOf(parts, invalidateOptions.scope), invalidateOptions.token)
    },
    revoke(revokeOptions = {}) {
      return revokeTokens(parts, revokeOptions)
    },
    async close() {
      lifetime.close()
      await tokens.clear()
    },
  }
}

function scopeOf(parts: BearerClientParts, scope: string | readonly string[] | undefined): string {
  return scope === undefined ? parts.defaultScope : normalizeScope(scope)
}

/**
 * {@link Client.revoke}: takes the tokens out of the cache first, then revokes each once, all at a
 * time; rejects with the first failure once every one was tried.
 */
async function revokeTokens(parts: BearerClientParts, options: RevokeOptions): Promise<void> {
  const { tokens, lifetime } = parts
  lifetime.assertOpen()
  const scope = options.scope === undefined ? undefined : normalizeScope(options.scope)
  const { token, signal } = options
  let taken: Promise<string | undefined>[]
  if (token === undefined) {
    taken = tokens.take(scope)
  } else {
    // It goes into a form body, so any string could be sent; an empty one is a caller's mistake.
    if (typeof token !== 'string' || token === '') {
      throw invalidOption(
        'revoke({ token }) needs the token string getToken() gave; omit it to revoke the cached tokens.',
      )
    }
    taken = [tokens.forget(token, scope).then(() => token)]
  }
  const sent = new Set<string>()
  const outcomes = await Promise.allSettled(
    taken.map(async (pending) => {
      const landed = await abortable(pending, signal)
      if (landed === undefined || sent.has(landed)) return
      sent.add(landed)
      await parts.revoke(landed, signal)
    }),
  )
  const failed = outcomes.find((outcome) => outcome.status === 'rejected')
  if (failed) throw failed.reason
}

/**
 * A call to a string or URL: `fetch(url, init)` with the header added, as a plain call would be
 * made. With `cached`, a fresh token from memory, nothing is awaited before `fetch`.
 */
async function fetchUrl(
  parts: BearerClientParts,
  url: URL,
  init: ClientRequestInit | undefined,
  scope: string,
  cached: string | undefined,
): Promise<Response> {
  // Called unbound, never as `parts.fetch(…)`: a browser's own fetch throws when `this` is not `window`.
  const { fetch: fetchImpl, tokens } = parts
  const replayable = isReplayableBody(init?.body)
  const signal = init?.signal
  const token = cached ?? (await fetchToken(() => tokens.get(scope, { signal, fresh: !replayable }), signal))
  const response = await fetchImpl(url.href, authorizedInit(init, `Bearer ${token}`))
  if (response.status !== 401) return response
  const retry = await afterUnauthorized(parts, response, replayable, scope, token, signal)
  emit(parts.hooks, 'onAuthRetry', {
    method: requestMethod(init?.method),
    url: url.origin + url.pathname,
    reusedNewerToken: retry.reusedNewerToken,
  })
  return fetchImpl(url.href, authorizedInit(init, `Bearer ${retry.token}`))
}

/** A call with a Request input, whose body and signal only the Request knows. */
async function fetchRequest(
  parts: BearerClientParts,
  input: Request,
  init: ClientRequestInit | undefined,
  scope: string,
): Promise<Response> {
  const { fetch: fetchImpl, target, tokens } = parts
  const request = target.request(input, init)
  // A Request's own body is a stream we cannot see into; a body given in init we can send again.
  const replayable = request.body === null || (init?.body !== undefined && isReplayableBody(init.body))
  const signal = request.signal
  const token = await fetchToken(() => tokens.get(scope, { signal, fresh: !replayable }), signal)
  request.headers.set('authorization', `Bearer ${token}`)
  const response = await fetchImpl(request)
  if (response.status !== 401) return response
  const retry = await afterUnauthorized(parts, response, replayable, scope, token, signal)
  const again = target.request(input, init)
  again.headers.set('authorization', `Bearer ${retry.token}`)
  const url = new URL(again.url)
  emit(parts.hooks, 'onAuthRetry', {
    method: again.method,
    url: url.origin + url.pathname,
    reusedNewerToken: retry.reusedNewerToken,
  })
  return fetchImpl(again)
}

/**
 * After a 401 to `token`: drops it and returns the token to retry with (a newer one another caller
 * cached, or a new one), or throws when the body cannot be sent again.
 */
async function afterUnauthorized(
  parts: BearerClientParts,
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
  const { tokens } = parts
  const invalidated = await tokens.invalidate(scope, token)
  return { token: await fetchToken(() => tokens.get(scope, { signal }), signal), reusedNewerToken: !invalidated }
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
