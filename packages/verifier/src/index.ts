export { AUTH_EVENT_CHANNEL } from './audit/audit-channel.js'
export type { AuthEvent, AuthEventHandler } from './audit/events.js'
export { API_KEY_SECRET_PATTERN } from './basic/api-key.js'
export type { AccessTokenClaims } from './bearer/access-token-claims.js'
export { MAX_TOKEN_LENGTH } from './bearer/bearer-token.js'
export { createVerifier } from './create-verifier.js'
export { validIssuer } from './discovery/issuer.js'
export type { AuthorizationServerMetadata } from './discovery/metadata.js'
export type { ProtectedResourceMetadata, ProtectedResourceOptions } from './discovery/protected-resource.js'
export type { FailureReason, LatchkeyErrorCode, LatchkeyErrorOptions } from './errors.js'
export { isLatchkeyError, LatchkeyError } from './errors.js'
export type { ErrorContext } from './http/answers.js'
export type { HttpAnswer } from './http/http-answer.js'
export { toResponse, withHeaders } from './http/http-answer.js'
export type { AuthenticationMethod, Principal } from './principal.js'
export { MAX_AUTHORIZATION_LENGTH } from './request/authorization-header.js'
export type { ForwardedHeader, TrustedProxies } from './request/client-address.js'
export { KeyEncryptionKey } from './signing-keys/key-encryption.js'
export type { JSONWebKeySet, SigningAlgorithm } from './signing-keys/signing-key-ring.js'
export type {
  FailureCount,
  FailureLimiter,
  FailureLimiterFactory,
  FailureLimiterOptions,
} from './store/failure-limiter.js'
export type {
  Account,
  AccountChanges,
  AccountStatus,
  ApiKeyChanges,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyRotationResult,
  ApiKeyStatus,
  Awaitable,
  JsonValue,
  KeyStore,
  KeyStoreSubscription,
  KeyStoreWatchEvent,
  KeyStoreWatchListener,
  Metadata,
  SealedPrivateKey,
  SigningKeyRecord,
} from './store/key-store.js'
export { MemoryKeyStore } from './store/memory-key-store.js'
export type { RevokedToken } from './store/revoked-token.js'
export type { FailureThrottleOptions } from './throttle/failure-throttle.js'
export {
  checkFormHeaders,
  MAX_FORM_BODY_BYTES,
  MAX_FORM_PARAMETERS,
  parseFormBody,
} from './token-endpoint/form-body.js'
export type { TokenResponseBody } from './token-endpoint/token-request.js'
export { type CreditRefillChange, creditsWithRefill } from './usage-limits/credit-refill-change.js'
export type { CreditRefill, CreditSpend, KeyCredits, RefillInterval } from './usage-limits/credits.js'
export {
  creditsAt,
  formatRefill,
  MAX_CREDIT_COST,
  MAX_CREDITS,
  nextRefill,
  parseRefill,
} from './usage-limits/credits.js'
export type { RateLimit } from './usage-limits/rate-limit.js'
export {
  formatRateLimit,
  isRateLimit,
  MAX_RATE_LIMIT_COUNT,
  MAX_RATE_LIMIT_WINDOW,
  MAX_RATE_LIMITS,
  parseRateLimit,
} from './usage-limits/rate-limit.js'
export type {
  RateLimitCount,
  RateLimitCounter,
  RateLimitCounterFactory,
  RateLimitCounterOptions,
} from './usage-limits/rate-limit-counter.js'
export { requestOptions } from './usage-limits/request-cost.js'
export type { UsageCount, UsageFilter, UsageOutcome, UsageRow } from './usage-limits/usage-counts.js'
export { DEFAULT_USAGE_RETENTION, hourOf } from './usage-limits/usage-counts.js'
export type {
  AuthenticateRequestOptions,
  AuthenticationInput,
  AuthenticationResult,
  ClientAuthenticationInput,
  ConnectionInfo,
  EndpointInput,
  RequestHeaders,
  Verifier,
  VerifierPaths,
} from './verifier.js'
export type { RateLimitOptions, VerifierOptions } from './verifier-options.js'
