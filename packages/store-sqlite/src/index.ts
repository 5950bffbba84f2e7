export type { SqliteKeyStoreOptions } from './sqlite-key-store.js'
export { openSqliteKeyStore, SqliteKeyStore } from './sqlite-key-store.js'
