import { LruMap } from 'toad-cache'
import type { FailureReason } from '../errors.js'

/**
 * Tokens refused for good, keyed by the exact token string: a bad signature under a known key, a
 * wrong claim, an expired or malformed token. None of these can turn valid later, so a token sent
 * again is refused from memory instead of by another signature check, which is what makes a replayed
 * forgery cheap to refuse. A refusal that could change (an unknown `kid`, which a rotation elsewhere
 * may add) is never remembered. Bounded: when full, the least recently used entry goes. Tokens are
 * at most `MAX_TOKEN_LENGTH` characters, so a full cache of the default size holds at most about 4 MB.
 */
export class RefusedTokenCache {
  readonly #entries: LruMap<FailureReason>
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
    this.#entries = new LruMap(Math.max(1, capacity))
  }

  /** Why `token` was refused, if it was. */
  get(token: string): FailureReason | undefined {
    return this.#entries.get(token)
  }

  add(token: string, reason: FailureReason): void {
    if (this.#capacity <= 0 || this.#entries.items.has(token)) return
    this.#entries.set(token, reason)
  }
}
