import { LatchkeyError } from '../errors.js'
import type { Account, ApiKeyRecord, KeyStore } from '../store/key-store.js'
import type { KeyCredits } from '../usage-limits/credits.js'
import type { RateLimit } from '../usage-limits/rate-limit.js'

// A store written before usage limits compiles (the fields and methods are optional) but drops the
// limits silently: a key meant to be capped would run uncapped. So the manager checks what it can
// before writing (the methods) and what it wrote afterwards (the fields the store hands back).

const upgrade = 'use a store that supports usage limits (the memory, SQLite and Postgres stores of this version do)'

function unsupported(message: string): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_ARGUMENT', message)
}

/** Refuses credits on a store that cannot spend them: every request of such a key would be refused. */
export function assertCanSpendCredits(store: KeyStore): void {
  if (typeof store.spendCredits !== 'function') {
    throw unsupported(`This key store cannot spend credits (it has no spendCredits method); ${upgrade}.`)
  }
}

/** The store's `listUsage`, or `ERR_INVALID_ARGUMENT` when it has none. */
export function usageLister(store: KeyStore): NonNullable<KeyStore['listUsage']> {
  const listUsage = store.listUsage
  if (typeof listUsage !== 'function') {
    throw unsupported(`This key store does not keep usage counts (it has no listUsage method); ${upgrade}.`)
  }
  return listUsage.bind(store)
}

/** What a write asked the store to keep. */
export interface WantedLimits {
  readonly rateLimits?: readonly RateLimit[] | undefined
  readonly credits?: KeyCredits | null | undefined
}

/**
 * What of `wanted` the store did not keep, as it handed `record` back: `undefined` when it kept
 * everything, else a message saying what it lacks. Only the settings are compared: `remaining` may
 * already have been spent from by the time the store answers.
 */
export function unkeptLimits(record: ApiKeyRecord | Account, wanted: WantedLimits): string | undefined {
  if (wanted.rateLimits !== undefined && !sameRateLimits(record.rateLimits ?? [], wanted.rateLimits)) {
    return `This key store did not keep the rate limits (it predates usage limits); ${upgrade}.`
  }
  if (wanted.credits != null && !('credits' in record && record.credits != null)) {
    return `This key store did not keep the credits (it predates usage limits); ${upgrade}.`
  }
  return undefined
}

/** Throws {@link unkeptLimits}'s message, if any. */
export function assertKeptLimits(record: ApiKeyRecord | Account, wanted: WantedLimits): void {
  const message = unkeptLimits(record, wanted)
  if (message !== undefined) throw unsupported(message)
}

function sameRateLimits(stored: readonly RateLimit[], wanted: readonly RateLimit[]): boolean {
  return (
    stored.length === wanted.length &&
    stored.every((limit, index) => limit.count === wanted[index]?.count && limit.window === wanted[index]?.window)
  )
}
