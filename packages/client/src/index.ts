/**
 * `@latchkey/client`: an authenticated `fetch` for APIs secured with API keys, HTTP Basic or OAuth2
 * client credentials. Web-standard APIs only (fetch, AbortSignal): Node ≥ 20, Bun, Deno, browsers and
 * edge runtimes. File and environment loading is in `@latchkey/client/node`; ky in `@latchkey/client/ky`.
 */
export type { ApiKey } from './api-key.js'
export { parseApiKeyProperties, redactedApiKey } from './api-key.js'
export type { Client, ClientRequestInit, GetTokenOptions, InvalidateOptions, RevokeOptions } from './client.js'
export type { ClientAuthentication } from './client-authenticated-post.js'
export type { ClientMode, ClientOptions } from './client-options.js'
export type { Clock } from './clock.js'
export { systemClock } from './clock.js'
export { createClient } from './create-client.js'
export { isLoopbackHost } from './endpoint-url.js'
export type { LatchkeyClientErrorCode, LatchkeyClientErrorOptions } from './errors.js'
export { isLatchkeyClientError, LatchkeyClientError } from './errors.js'
export type {
  AuthRetryEvent,
  ClientHooks,
  TokenCacheEvent,
  TokenErrorEvent,
  TokenEventBase,
  TokenRequestEvent,
  TokenRequestReason,
  TokenResponseEvent,
  TokenStoreErrorEvent,
} from './hooks.js'
export { parseProperties } from './properties.js'
export type { RetryOptions } from './retry.js'
export type { Awaitable, StoredToken, TokenStore } from './token-store.js'
export { MemoryTokenStore } from './token-store.js'
