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
export type { FailureReason, LatchkeyErrorCode, LatchkeyErrorOptions } from './errors.js'
export { isLatchkeyError, LatchkeyError } from './errors.js'
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
  SigningKeyRecord,
} from './key-store.js'
export { MemoryKeyStore } from './memory-key-store.js'
export type { AuthenticationMethod, Principal } from './principal.js'
export { formatScope, isScopeToken, missingScopes, parseScope } from './scope.js'
