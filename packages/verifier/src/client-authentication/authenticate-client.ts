import type { ApiKeyCheck } from '../authenticate/api-key-check.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import { clientCredentials } from './client-credentials.js'

/** What was learnt about the client before a failure, for audit events. */
export interface ClientRequestState {
  keyId?: string
  key?: ApiKeyCredential
}

/**
 * Authenticates the client of an OAuth endpoint (RFC 6749 §2.3.1) by its API key: Basic credentials
 * (form-decoded, and as sent when that differs) or `client_id` and `client_secret` in the form, never
 * both; the key and its account must be enabled. The same check, throttling included, as every
 * other use of a key's secret. `authorization` is the request's only `Authorization` value, if any.
 * Throws `ERR_CREDENTIALS_MISSING`, `ERR_INVALID_REQUEST`, `ERR_INVALID_CREDENTIALS`,
 * `ERR_TOO_MANY_ATTEMPTS` or `ERR_STORE_UNAVAILABLE`.
 */
export async function authenticateClient(
  apiKeys: ApiKeyCheck,
  authorization: string | undefined,
  form: ReadonlyMap<string, string>,
  clientAddress: string | undefined,
  state: ClientRequestState,
): Promise<ApiKeyCredential> {
  const { keyId, secret, alternative } = clientCredentials(authorization, form)
  state.keyId = keyId
  const key = await apiKeys.check(keyId, secret, clientAddress, alternative)
  state.key = key
  return key
}
