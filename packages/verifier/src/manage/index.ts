// `@latchkey/verifier/manage`: what changes accounts, keys and signing keys, kept out of the entry
// every request path loads. The CLI and the admin API are built on it.
export { API_KEY_SECRET_PREFIX, generateApiKeyId, generateApiKeySecret, hashSecret } from '../basic/api-key.js'
export { isScopeToken } from '../scope.js'
export { KeyEncryptionKey } from '../signing-keys/key-encryption.js'
export type { SigningKeyState } from '../signing-keys/signing-key-state.js'
export type {
  ApiKeyInfo,
  CreateAccountOptions,
  CreateApiKeyOptions,
  CreatedApiKey,
  KeyManager,
} from './key-manager.js'
export { ACCOUNT_ID_PREFIX, createKeyManager } from './key-manager.js'
export type { ResealSigningKeysOptions } from './reseal-signing-keys.js'
export { resealSigningKeys } from './reseal-signing-keys.js'
export type { RotateSigningKeyOptions, SigningKeyInfo, SigningKeyRotation } from './signing-key-rotation.js'
export { listSigningKeys, rotateSigningKey } from './signing-key-rotation.js'
