import { LruMap } from 'toad-cache'
import type { BasicCredentials } from './basic-credentials.js'

/** An `Authorization` value's Basic credentials, whose secret matched `secretHash`, the key's stored hash then. */
export interface KnownBasic {
  readonly credentials: BasicCredentials
  readonly secretHash: string
}

/**
 * API key secrets that recently matched their key's stored hash, so that a client sending the same
 * Basic credentials on every request pays for the SHA-256 once rather than on every request.
 *
 * Keyed by the exact id and secret presented, and valid only against the exact stored hash they
 * matched: a miss (a wrong secret, an unknown id, a secret not seen yet) is hashed and compared in
 * constant time as before, so only someone who already holds the secret ever takes the faster path.
 * The key's status is still read and checked on every request, hit or not. Only successes are
 * remembered. Bounded: when full, the least recently used entry goes. The price is that up to
 * `capacity` secrets stay in process memory as they arrived (they pass through it on every request
 * anyway), and as many `Authorization` values that carried them, parsed; a capacity of 0 keeps none.
 */
export class VerifiedSecretCache {
  readonly #entries: LruMap<string>
  readonly #headers: LruMap<KnownBasic>
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
    this.#entries = new LruMap(Math.max(1, capacity))
    this.#headers = new LruMap(Math.max(1, capacity))
  }

  /**
   * The credentials of `authorization`, an `Authorization` value whose Basic credentials matched
   * before ({@link VerifiedSecretCache.rememberHeader}), so that it need not be decoded again: parsing
   * is pure, and a remembered value is still checked like any other (status, throttle), its secret by
   * the stored hash it matched, which must still be the key's.
   */
  knownHeader(authorization: string): KnownBasic | undefined {
    return this.#headers.get(authorization)
  }

  /** Remembers that `authorization` parses as `credentials`, whose secret just matched `secretHash`. */
  rememberHeader(authorization: string, credentials: BasicCredentials, secretHash: string): void {
    if (this.#capacity > 0) this.#headers.set(authorization, { credentials, secretHash })
  }

  /** Whether `secret` was verified for `keyId` against exactly `secretHash`. */
  matches(keyId: string, secret: string, secretHash: string): boolean {
    return this.#entries.get(entryKey(keyId, secret)) === secretHash
  }

  /** Remembers that `secret` matched `secretHash`, the stored hash of `keyId`. */
  remember(keyId: string, secret: string, secretHash: string): void {
    if (this.#capacity <= 0) return
    const key = entryKey(keyId, secret)
    if (this.#entries.get(key) === secretHash) return
    this.#entries.set(key, secretHash)
  }
}

/** Ids and secrets never hold a newline (they are printable ASCII), so the pair is unambiguous. */
function entryKey(keyId: string, secret: string): string {
  return `${keyId}\n${secret}`
}
