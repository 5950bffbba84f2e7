import type { ApiKeyRecord } from '../store/key-store.js'

/** A key as listed: everything but its secret hash, which has no use outside the store. */
export type ApiKeyInfo = Omit<ApiKeyRecord, 'secretHash'>

/** A newly created key. The secret is shown this once: only its hash is stored. */
export interface CreatedApiKey extends ApiKeyInfo {
  readonly secret: string
}

/** `record` without its secret hash. */
export function toApiKeyInfo({ secretHash: _, ...info }: ApiKeyRecord): ApiKeyInfo {
  return info
}
