export type { PostgresKeyStoreOptions } from './connections.js'
export { openPostgresKeyStore, PostgresKeyStore } from './postgres-key-store.js'
