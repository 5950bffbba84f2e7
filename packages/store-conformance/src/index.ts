export type { KeyStoreConformanceOptions } from './describe-key-store-conformance.js'
export { describeKeyStoreConformance } from './describe-key-store-conformance.js'
export type { KeyStoreOpener, OpenedKeyStore } from './harness.js'
export { newClient, requestToken } from './token-request.js'
