import { type CreditRefill, MAX_CREDITS, parseRateLimit, parseRefill, type RateLimit } from '@latchkey/verifier'
import { shown } from './duration.js'
import type { ParseArgsOptionsConfig } from './parse-args-error.js'
import { UsageError } from './usage-error.js'

/** `--rate-limit COUNT/WINDOW`…, for `keys create|update` and `accounts update`. */
export const rateLimitOptions = {
  'rate-limit': { type: 'string', multiple: true },
} as const satisfies ParseArgsOptionsConfig

/** `--no-rate-limit`, for the update commands. */
export const rateLimitRemovalOptions = {
  'no-rate-limit': { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig

/** `--credits N` and `--refill N/day|N/month`, for `keys create|update`. */
export const creditOptions = {
  credits: { type: 'string' },
  refill: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig

/** `--no-refill` and `--no-credits`, for `keys update`. */
export const creditRemovalOptions = {
  'no-refill': { type: 'boolean' },
  'no-credits': { type: 'boolean' },
} as const satisfies ParseArgsOptionsConfig

/** The help lines of `--rate-limit`, for create (`removable` false) or update. */
export function rateLimitHelp(removable: boolean): string {
  const help = `  --rate-limit COUNT/WINDOW
                            At most COUNT requests per WINDOW, a whole number and s, m, h or d
                            (10/1s, 1000/1h, 100/m, at most 31d); may be repeated, one per window,
                            up to 8`
  if (!removable) return help
  return `${help}; replaces all the old ones
  --no-rate-limit           Remove every rate limit`
}

/** The help lines of the credit options, for create (`removable` false) or update. */
export function creditHelp(removable: boolean): string {
  if (!removable) {
    return `  --credits N               Meter the key: N requests (a route may cost more); default: the
                            --refill amount with --refill, else not metered
  --refill N/day|N/month    Set the credits to N at every 00:00 UTC, or 00:00 UTC on every 1st`
  }
  return `  --credits N               Set the credits left to N, keeping the refill; meters a key that was not
  --refill N/day|N/month    Set the credits to N at every 00:00 UTC, or 00:00 UTC on every 1st,
                            keeping the credits left (N of them for a key not metered yet)
  --no-refill               Stop refilling the credits, keeping the credits left
  --no-credits              Stop metering the key: no credits, no refill`
}

/** The rate-limit options, as `parseArgs` gives them. */
export interface RateLimitOptionValues {
  readonly 'rate-limit'?: readonly string[] | undefined
  readonly 'no-rate-limit'?: boolean | undefined
}

/**
 * The rate limits `--rate-limit` (repeated) or `--no-rate-limit` (`[]`) ask for, or `undefined`
 * when neither is given. The manager judges how many and whether two share a window.
 */
export function parseRateLimitOptions(values: RateLimitOptionValues, command: string): RateLimit[] | undefined {
  const given = values['rate-limit']
  if (values['no-rate-limit']) {
    if (given !== undefined)
      throw new UsageError('--rate-limit and --no-rate-limit exclude each other; give one.', command)
    return []
  }
  return given?.map((text) => {
    const limit = parseRateLimit(text)
    if (limit === undefined) {
      throw new UsageError(
        `--rate-limit: ${shown(text)} is not a rate limit; use COUNT/WINDOW, e.g. 10/1s, 1000/1h or 100/m (WINDOW at most 31d).`,
        command,
      )
    }
    return limit
  })
}

/** The credit options, as `parseArgs` gives them. */
export interface CreditOptionValues {
  readonly credits?: string | undefined
  readonly refill?: string | undefined
  readonly 'no-refill'?: boolean | undefined
  readonly 'no-credits'?: boolean | undefined
}

/** What the credit options ask of `createApiKey` or `updateApiKey`; a field left out is not given. */
export interface CreditChanges {
  credits?: number | null
  refill?: CreditRefill | null
}

/**
 * Reads `--credits N` (a whole number from 0 to 1,000,000,000,000), `--refill N/day|N/month`,
 * `--no-refill` (`refill: null`) and `--no-credits` (`credits: null`), which excludes the others.
 */
export function parseCreditOptions(values: CreditOptionValues, command: string): CreditChanges {
  const given = (['credits', 'refill', 'no-refill'] as const).filter((flag) => values[flag] !== undefined)
  if (values['no-credits'] && given.length > 0) {
    throw new UsageError(`--no-credits and --${given[0]} exclude each other; give one.`, command)
  }
  if (values.refill !== undefined && values['no-refill']) {
    throw new UsageError('--refill and --no-refill exclude each other; give one.', command)
  }
  if (values['no-credits']) return { credits: null }
  const changes: CreditChanges = {}
  if (values.credits !== undefined) changes.credits = parseCredits(values.credits, command)
  if (values['no-refill']) changes.refill = null
  if (values.refill !== undefined) {
    const refill = parseRefill(values.refill)
    if (refill === undefined) {
      throw new UsageError(
        `--refill: ${shown(values.refill)} is not a refill; use N/day or N/month, e.g. 1000/day (N from 1 to ${MAX_CREDITS}).`,
        command,
      )
    }
    changes.refill = refill
  }
  return changes
}

function parseCredits(text: string, command: string): number {
  const credits = /^(0|[1-9]\d{0,12})$/.test(text) ? Number(text) : Number.NaN
  if (!(credits <= MAX_CREDITS)) {
    throw new UsageError(
      `--credits: ${shown(text)} is not a number of credits; use a whole number from 0 to ${MAX_CREDITS}.`,
      command,
    )
  }
  return credits
}
