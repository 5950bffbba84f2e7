import type { ApiKeyCredential, KeyStore } from './key-store.js'
import type { SigningKeyRing } from './signing-key-ring.js'

/** The resolved settings and shared parts every request handler of one verifier uses. Internal. */
export interface VerifierContext {
  readonly store: KeyStore
  /** Milliseconds. */
  readonly storeTimeout: number
  readonly issuer: string
  readonly audience: string
  readonly realm: string
  /** Seconds. */
  readonly tokenLifetime: number
  /** Seconds. */
  readonly clockTolerance: number
  readonly now: () => number
  readonly ring: SigningKeyRing
  readonly tokenSettings: {
    readonly ring: SigningKeyRing
    readonly issuer: string
    readonly audience: string
    readonly clockTolerance: number
    readonly now: () => number
  }
  /** The hot-path key read: through the key-status cache when the store has a change feed. */
  findApiKey(id: string): Promise<ApiKeyCredential | undefined>
  /**
   * Checks an API key id and secret under brute-force throttling; `clientAddress` is the resolved
   * client address, when known. Throws `ERR_INVALID_CREDENTIALS` or `ERR_TOO_MANY_ATTEMPTS`.
   */
  checkCredentials(keyId: string, secret: string, clientAddress: string | undefined): Promise<ApiKeyCredential>
  /** Every `Authorization` value of a request, one per header line where the runtime keeps them apart. */
  authorizationValues(request: Request): string[]
}
