/**
 * What happened to an authenticated request of a key, as usage counts record it: `served` (let
 * through), `rate_limited` (a key or account rate limit answered 429), `credits_exhausted` (429 for
 * lack of credits), `refused` (the key exists but the credentials were refused: a wrong secret, a
 * disabled, revoked or expired key, a revoked token, a missing scope is not counted here).
 */
export type UsageOutcome = 'served' | 'rate_limited' | 'credits_exhausted' | 'refused'

/** Requests of one key in one hour with one outcome, as a verifier hands them to {@link KeyStore.recordUsage}. */
export interface UsageCount {
  readonly keyId: string
  /** The start of the UTC hour (minutes, seconds and milliseconds zero). */
  readonly hour: Date
  readonly outcome: UsageOutcome
  /** At least 1. */
  readonly count: number
}

/** A stored usage count, with the key's account, as {@link KeyStore.listUsage} returns it. */
export interface UsageRow extends UsageCount {
  readonly accountId: string
}

/** Which usage counts {@link KeyStore.listUsage} returns: one key's or one account's keys', from `since`. */
export type UsageFilter =
  | { readonly keyId: string; readonly since: Date }
  | { readonly accountId: string; readonly since: Date }

/** The start of the UTC hour `at` (ms since the epoch) falls in. */
export function hourOf(at: number): Date {
  return new Date(at - (((at % 3_600_000) + 3_600_000) % 3_600_000))
}

/** How long usage counts are kept by default: 90 days, in ms. */
export const DEFAULT_USAGE_RETENTION = 90 * 86_400_000
