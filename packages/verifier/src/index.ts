export type { AccessTokenClaims } from './access-token.js'
export { MAX_TOKEN_LENGTH } from './access-token.js'
export {
  API_KEY_ID_PREFIX,
  API_KEY_SECRET_PATTERN,
  API_KEY_SECRET_PREFIX,
  generateApiKeyId,
  generateApiKeySecret,
  hashSecret,
  isWellFormedCredential,
  verifySecret,
} from './api-key.js'
export { AUTH_EVENT_CHANNEL } from './audit-channel.js'
export type { AuthorizationCredentials } from './authorization-header.js'
export { MAX_AUTHORIZATION_LENGTH, parseAuthorization } from './authorization-header.js'
export type { ClientAddressOptions, ForwardedHeader, HeaderSource, TrustedProxies } from './client-address.js'
export { createClientAddressResolver } from './client-address.js'
export type {
  AuthenticationInput,
  AuthenticationResult,
  ConnectionInfo,
  Verifier,
  VerifierOptions,
  VerifierPaths,
} from './create-verifier.js'
export { createVerifier } from './create-verifier.js'
export type { ErrorContext, HttpDescription, HttpErrorDescription } from './error-response.js'
export type { FailureReason, LatchkeyErrorCode, LatchkeyErrorOptions } from './errors.js'
export { isLatchkeyError, LatchkeyError } from './errors.js'
export type { AuthEvent, AuthEventHandler } from './events.js'
export type {
  FailureCount,
  FailureLimiter,
  FailureLimiterFactory,
  FailureLimiterOptions,
} from './failure-throttle/failure-limiter.js'
export type { FailureThrottleOptions } from './failure-throttle/failure-throttle.js'
export { MAX_FORM_BODY_BYTES, MAX_FORM_PARAMETERS } from './form-body.js'
export type {
  ApiKeyInfo,
  CreateAccountOptions,
  CreateApiKeyOptions,
  CreatedApiKey,
  KeyManager,
} from './key-manager.js'
export { ACCOUNT_ID_PREFIX, createKeyManager } from './key-manager.js'
export type {
  Account,
  AccountStatus,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyStatus,
  Awaitable,
  KeyStore,
  KeyStoreSubscription,
  KeyStoreWatchEvent,
  KeyStoreWatchListener,
  SigningKeyRecord,
} from './key-store.js'
export { MemoryKeyStore } from './memory-key-store.js'
export type { AuthorizationServerMetadata } from './metadata.js'
export type { AuthenticationMethod, Principal } from './principal.js'
export { formatScope, isScopeToken, missingScopes, parseScope } from './scope.js'
export type { JSONWebKeySet, SigningAlgorithm } from './signing-key-ring.js'
export type { RotateSigningKeyOptions, SigningKeyInfo, SigningKeyRotation } from './signing-key-rotation.js'
export { listSigningKeys, rotateSigningKey } from './signing-key-rotation.js'
export type { SigningKeyState } from './signing-key-state.js'
export { signingKeyStates } from './signing-key-state.js'
export type { TokenRequestInput, TokenResponseBody } from './token-endpoint.js'
