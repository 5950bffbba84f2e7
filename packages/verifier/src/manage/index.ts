// `@latchkey/verifier/manage`: what changes accounts, keys and signing keys, kept out of the entry
// every request path loads. The CLI and the admin API are built on it.
export {
  API_KEY_SECRET_PREFIX,
  generateApiKeyId,
  generateApiKeySecret,
  hashSecret,
  isImportableKeyId,
  isIssuedSecretShape,
  isSecretHash,
  isWellFormedCredential,
  MAX_CREDENTIAL_LENGTH,
  verifySecret,
} from '../basic/api-key.js'
export { isScopeToken } from '../scope.js'
export { KeyEncryptionKey } from '../signing-keys/key-encryption.js'
export type { SigningKeyState } from '../signing-keys/signing-key-state.js'
export type { CreateAccountOptions, UpdateAccountOptions } from './accounts.js'
export { ACCOUNT_ID_PREFIX } from './accounts.js'
export type { ImportApiKeyOptions } from './api-key-import.js'
export type { ApiKeyInfo, CreatedApiKey } from './api-key-info.js'
export type { ApiKeyRotation, RotateApiKeyOptions } from './api-key-rotation.js'
export { DEFAULT_ROTATION_OVERLAP, MAX_ROTATION_OVERLAP } from './api-key-rotation.js'
export type { ApiKeyState } from './api-key-state.js'
export { apiKeyState } from './api-key-state.js'
export type { ApiKeyFieldOptions, CreateApiKeyOptions, ListApiKeysOptions, UpdateApiKeyOptions } from './api-keys.js'
export {
  MAX_ACCOUNT_NAME_LENGTH,
  MAX_KEY_DESCRIPTION_LENGTH,
  MAX_KEY_NAME_LENGTH,
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
} from './field-rules.js'
export type { KeyManager, KeyManagerOptions } from './key-manager.js'
export { createKeyManager } from './key-manager.js'
export type { ResealSigningKeysOptions } from './reseal-signing-keys.js'
export { resealSigningKeys } from './reseal-signing-keys.js'
export type { RotateSigningKeyOptions, SigningKeyInfo, SigningKeyRotation } from './signing-key-rotation.js'
export { listSigningKeys, rotateSigningKey } from './signing-key-rotation.js'
export type { UsageOptions } from './usage.js'
export { DEFAULT_USAGE_PERIOD } from './usage.js'
