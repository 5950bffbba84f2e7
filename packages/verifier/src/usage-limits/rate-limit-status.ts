/**
 * Where one rate-limit policy stands after a request was counted, as the RateLimit header fields
 * report it (draft-ietf-httpapi-ratelimit-headers-10 §3, §4). Internal.
 */
export interface RateLimitStatus {
  /** The policy's name, unique among the request's policies: `key-10-1s`, `account-1000-1h`, `failures`. */
  readonly policy: string
  /** Requests allowed per window: the policy's `q`. */
  readonly quota: number
  /** The window in seconds, the policy's `w`; absent when the policy has none to tell. */
  readonly window?: number
  /** Requests left in the current window: `r`. */
  readonly remaining: number
  /** Whole seconds until the current window ends: `t`. */
  readonly reset: number
}
