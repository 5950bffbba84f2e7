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

/** Options of {@link Client.revoke}. */
export interface RevokeOptions {
  /** Revoke only the token cached for these scopes. Default: the tokens of every scope. */
  readonly scope?: string | readonly string[]
  /**
   * Revoke this token (one `getToken()` gave) instead of the cached ones; it is forgotten too where it
   * is cached (for `scope` only, when given). Default: the cached tokens.
   */
  readonly token?: string
  /**
   * Stops the call (with `ERR_ABORTED`) and the revocation requests it sent. The tokens are forgotten
   * all the same; whether the server revoked them is then unknown.
   */
  readonly signal?: AbortSignal
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
  /**
   * Revokes the access tokens this client holds at the revocation endpoint (RFC 7009, option
   * `revocationUrl`), so that the API refuses them from then on, and forgets them (here and in the
   * `tokenStore`): the next call requests a new token. Only these tokens: the API key and its other
   * tokens keep working. Use it when the tokens should stop working before they expire: on sign-out,
   * or when one may have leaked.
   *
   * - Which tokens: every cached one, or `scope`'s only; or exactly `token`. A token request in flight
   *   when `revoke()` is called is waited for and its token revoked too, so none slips into the cache;
   *   callers that were waiting for it still get it, and their next API call gets a 401 and the usual
   *   one retry with a new token. Tokens requested after the call are not revoked.
   * - With nothing cached it sends nothing and resolves. In Basic mode there is no token: it resolves
   *   at once and sends nothing (rotate or revoke the API key instead).
   * - The tokens are forgotten before any request is sent, and stay forgotten whatever the answer: the
   *   caller wanted them gone, and a token kept after a failed revocation would be sent again.
   * - A failure rejects with a {@link LatchkeyClientError} (after every token was tried, with the first
   *   failure): `ERR_OAUTH` with `status` and `oauthError` (`invalid_client`; `unsupported_token_type`
   *   from a server that cannot revoke single tokens; `temporarily_unavailable` on a 503), `ERR_TOKEN_HTTP`,
   *   `ERR_NETWORK`, `ERR_TIMEOUT`, `ERR_TOKEN_REDIRECT`; a transient one says to try again later.
   *   Nothing is retried: a revocation holds no one up (it often runs at shutdown), and an unrevoked
   *   token still expires within its `expires_in`. To insist, take the token with `getToken()` first
   *   and call `revoke({ token })` until it resolves.
   * - With a `tokenStore`, other clients sharing the token get a 401 and fetch a new one.
   * - After `close()` it rejects with `ERR_CLOSED`; `close()` forgets tokens but does not revoke them.
   */
  revoke(options?: RevokeOptions): Promise<void>
  /**
   * Cancels pending token and revocation requests and backoffs, and forgets tokens without revoking
   * them (call {@link Client.revoke} first for that); later calls throw `ERR_CLOSED`.
   */
  close(): Promise<void>
}
