export type { PostgresKeyStoreOptions } from './postgres-key-store.js'
export { openPostgresKeyStore, PostgresKeyStore } from './postgres-key-store.js'
