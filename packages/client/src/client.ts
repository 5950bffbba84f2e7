import type { ClientMode } from './client-options.js'
// Type-only, for the TSDoc link: the error is thrown by the modes' implementations, not here.
import type { LatchkeyClientError } from './errors.js'

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
