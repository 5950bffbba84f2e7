import type { ApiKey } from './api-key.js'
import type { ClientAuthentication } from './client-authenticated-post.js'
import type { Clock } from './clock.js'
import type { ClientHooks } from './hooks.js'
import type { RetryOptions } from './retry.js'
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
  /**
   * The token revocation endpoint (RFC 7009), used by `revoke()`; checked like `tokenUrl`. Default:
   * `revoke` beside the token endpoint, `new URL('revoke', tokenUrl)`: `https://api.example.com/oauth/token`
   * → `https://api.example.com/oauth/revoke` (Latchkey's default `revocationPath`, and a common layout
   * elsewhere). A server's RFC 8414 metadata names it `revocation_endpoint`. Client-credentials mode only.
   */
  readonly revocationUrl?: string | URL
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
  /** The `fetch` used for token, revocation and API requests. Default: `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch
  /** Monotonic time, wall time and sleeping. Default: `performance.now`, `Date.now` and an unref'd `setTimeout`. */
  readonly clock?: Clock
  /** Longest wait for one token request attempt, or one revocation request, response body included, in ms. Default: 10,000. */
  readonly timeout?: number
  /** Largest token or revocation response read, in bytes. Default: 65,536. */
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
