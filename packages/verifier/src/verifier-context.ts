import type { TokenSettings } from './access-token.js'
import type { ApiKeyCredential } from './key-store.js'

/** What the token endpoint needs from the verifier that runs it. Internal. */
export interface VerifierContext {
  /** Seconds. */
  readonly tokenLifetime: number
  readonly tokenSettings: TokenSettings
  /**
   * Checks an API key id and secret under brute-force throttling; `clientAddress` is the resolved
   * client address, when known. Throws `ERR_INVALID_CREDENTIALS` or `ERR_TOO_MANY_ATTEMPTS`.
   */
  checkCredentials(keyId: string, secret: string, clientAddress: string | undefined): Promise<ApiKeyCredential>
}
