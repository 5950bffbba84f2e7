import type { LatchkeyClientError } from './errors.js'

/** Why a token is being requested. */
export type TokenRequestReason =
  /** No token was cached for this scope. */
  | 'initial'
  /** The cached token is inside the skew margin of its expiry: callers wait for this one. */
  | 'expired'
  /** The cached token is in its refresh window: it is still served while this runs in the background. */
  | 'stale'
  /** The API answered 401 to the cached token. */
  | 'invalidated'
  /** `getToken({ forceRefresh: true })`. */
  | 'forced'

/** Fields every token event carries. Never a secret or a token. */
export interface TokenEventBase {
  /** The token endpoint. */
  readonly tokenUrl: string
  /** The API key id (the OAuth `client_id`), which is not secret. */
  readonly clientId: string
  /** The requested scope, space-separated and sorted; `''` for none. */
  readonly scope: string
}

/** A token request attempt is about to be sent. */
export interface TokenRequestEvent extends TokenEventBase {
  readonly reason: TokenRequestReason
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number
}

/** A token request attempt succeeded. */
export interface TokenResponseEvent extends TokenRequestEvent {
  readonly status: number
  /** Milliseconds from sending the request to validating the response. */
  readonly duration: number
  /** Seconds the token will be used for, after defaulting and clamping. */
  readonly expiresIn: number
  /** Whether `expires_in` was missing or unusable and the default lifetime was used. */
  readonly expiresInDefaulted: boolean
}

/** A token request attempt failed. */
export interface TokenErrorEvent extends TokenRequestEvent {
  readonly error: LatchkeyClientError
  /** Milliseconds the attempt took. */
  readonly duration: number
  /** Whether another attempt follows. */
  readonly willRetry: boolean
  /** Milliseconds waited before the next attempt, when there is one. */
  readonly retryDelay: number | undefined
}

/** How a token was found for a call. */
export interface TokenCacheEvent extends TokenEventBase {
  /** `hit`: fresh in memory; `stale`: served while a refresh runs; `store`: adopted from the `TokenStore`; `miss`: the caller waits for a token request. */
  readonly result: 'hit' | 'stale' | 'store' | 'miss'
}

/** An API call is being retried once with a new token after a 401. */
export interface AuthRetryEvent {
  /** Method of the API request. */
  readonly method: string
  /** Origin and path of the API request (no query string, which may carry data). */
  readonly url: string
  /** Whether a newer token was already cached, so no token request was needed. */
  readonly reusedNewerToken: boolean
}

/** A `TokenStore` call failed; the client goes on with its in-memory cache. */
export interface TokenStoreErrorEvent {
  readonly operation: 'get' | 'set' | 'delete'
  readonly error: unknown
}

/**
 * Observability hooks. Each takes one state object, so fields can be added without breaking callers.
 * Hooks run synchronously; an exception thrown by a hook is ignored so it cannot break authentication.
 */
export interface ClientHooks {
  readonly onTokenRequest?: (event: TokenRequestEvent) => void
  readonly onTokenResponse?: (event: TokenResponseEvent) => void
  readonly onTokenError?: (event: TokenErrorEvent) => void
  readonly onTokenCache?: (event: TokenCacheEvent) => void
  readonly onAuthRetry?: (event: AuthRetryEvent) => void
  readonly onTokenStoreError?: (event: TokenStoreErrorEvent) => void
}

/** Calls `hooks[name]` with `event`, ignoring anything the hook throws. */
export function emit<K extends keyof ClientHooks>(
  hooks: ClientHooks,
  name: K,
  event: Parameters<NonNullable<ClientHooks[K]>>[0],
): void {
  const hook = hooks[name] as ((event: unknown) => void) | undefined
  if (!hook) return
  try {
    hook(event)
  } catch {
    // A broken hook must not break authentication.
  }
}
