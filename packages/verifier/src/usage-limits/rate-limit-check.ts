import { LatchkeyError } from '../errors.js'
import type { RateLimitCount, RateLimitCounter, RateLimitCounterFactory } from './rate-limit-counter.js'
import type { RateLimitPolicy } from './rate-limit-policies.js'
import type { RateLimitStatus } from './rate-limit-status.js'

/**
 * Counts requests against rate-limit policies: one counter per count and window, made on first use
 * by the factory and shared by every key and account with that limit (each under its own counter
 * key). A counter that fails, or (when `timeout` is set) takes longer than `timeout` ms, fails
 * closed: `ERR_STORE_UNAVAILABLE`, answered 503. Internal.
 */
export class RateLimitCheck {
  readonly #create: RateLimitCounterFactory
  readonly #timeout: number | undefined
  readonly #counters = new Map<string, RateLimitCounter>()
  /** The counters of each set of policies, which lives as long as the key's credential. */
  readonly #countersOf = new WeakMap<readonly RateLimitPolicy[], PolicyCounters>()

  constructor(create: RateLimitCounterFactory, timeout: number | undefined) {
    this.#create = create
    this.#timeout = timeout
  }

  /**
   * Counts one request against every one of `policies` (all of them, even when one is over), and
   * answers where each stands; throws `ERR_RATE_LIMITED` when any is over, with `retryAfter` the
   * seconds until the last exceeded window ends, or `ERR_STORE_UNAVAILABLE`. At once (returning or
   * throwing) when every counter counts in memory (`consumeNow`), else through a promise.
   */
  consume(policies: readonly RateLimitPolicy[]): RateLimitStatus[] | Promise<RateLimitStatus[]> {
    const { counters, now } = this.#countersFor(policies)
    if (now) {
      const outcomes: Outcome[] = []
      for (let index = 0; index < policies.length; index++) {
        outcomes.push(countedNow(counters[index] as RateLimitCounter, policies[index] as RateLimitPolicy))
      }
      return statusesOf(policies, outcomes)
    }
    return Promise.all(
      policies.map((policy, index) => this.#consumeOne(counters[index] as RateLimitCounter, policy)),
    ).then((outcomes) => statusesOf(policies, outcomes))
  }

  /** The counters of `policies`, in the same order, made on their first request. */
  #countersFor(policies: readonly RateLimitPolicy[]): PolicyCounters {
    let made = this.#countersOf.get(policies)
    if (made) return made
    let counters: RateLimitCounter[]
    try {
      counters = policies.map((policy) => this.#counterOf(policy))
    } catch (cause) {
      throw new LatchkeyError('ERR_STORE_UNAVAILABLE', 'The rate-limit counters are unavailable.', { cause })
    }
    made = { counters, now: counters.every((counter) => counter.consumeNow !== undefined) }
    this.#countersOf.set(policies, made)
    return made
  }

  async #consumeOne(counter: RateLimitCounter, policy: RateLimitPolicy): Promise<Outcome> {
    try {
      const count = await this.#bounded(counter.consume(policy.counterKey, 1))
      return { counted: true, over: false, count }
    } catch (error) {
      // rate-limiter-flexible rejects with the count when over, and with an Error when its store fails.
      if (isCount(error)) return { counted: true, over: true, count: error }
      return { counted: false, error }
    }
  }

  /** The counter of the policy's count and window, shared by every key and account with that limit. */
  #counterOf({ limit }: RateLimitPolicy): RateLimitCounter {
    const id = `${limit.count}-${limit.window}`
    let counter = this.#counters.get(id)
    if (!counter) {
      counter = this.#create({ keyPrefix: `latchkey-rate-${id}`, points: limit.count, duration: limit.window })
      this.#counters.set(id, counter)
    }
    return counter
  }

  #bounded(count: Promise<RateLimitCount>): Promise<RateLimitCount> {
    const timeout = this.#timeout
    if (timeout === undefined) return count
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`The rate-limit counter did not answer within ${timeout} ms.`)),
        timeout,
      )
    })
    return Promise.race([count, late]).finally(() => clearTimeout(timer))
  }
}

/**
 * Where `policies` stand once counted (`outcomes`, in the same order); throws `ERR_STORE_UNAVAILABLE`
 * when a counter failed, else `ERR_RATE_LIMITED` when any policy is over.
 */
function statusesOf(policies: readonly RateLimitPolicy[], outcomes: readonly Outcome[]): RateLimitStatus[] {
  let failed = false
  let failure: unknown
  let retryAfter = 0
  const statuses = outcomes.map((outcome, index) => {
    const { limit, name } = policies[index] as RateLimitPolicy
    if (!outcome.counted && !failed) {
      failed = true
      failure = outcome.error
    }
    const count = outcome.counted ? outcome.count : { consumedPoints: limit.count, remainingPoints: 0, msBeforeNext: 0 }
    const reset = Math.max(0, Math.ceil(count.msBeforeNext / 1000))
    if (outcome.counted && outcome.over) retryAfter = Math.max(retryAfter, reset, 1)
    return { policy: name, quota: limit.count, window: limit.window, remaining: count.remainingPoints, reset }
  })
  if (failed) {
    throw new LatchkeyError('ERR_STORE_UNAVAILABLE', 'The rate-limit counters are unavailable.', { cause: failure })
  }
  if (retryAfter > 0) {
    throw new LatchkeyError('ERR_RATE_LIMITED', 'The rate limit is reached.', {
      reason: 'rate_limited',
      retryAfter,
      rateLimits: statuses,
    })
  }
  return statuses
}

/** The outcome of a count made in memory, by a counter with `consumeNow`: over past the limit's count. */
function countedNow(counter: RateLimitCounter, { counterKey, limit }: RateLimitPolicy): Outcome {
  try {
    const count = (counter.consumeNow as NonNullable<RateLimitCounter['consumeNow']>)(counterKey, 1)
    return { counted: true, over: count.consumedPoints > limit.count, count }
  } catch (error) {
    return { counted: false, error }
  }
}

interface PolicyCounters {
  readonly counters: readonly RateLimitCounter[]
  /** Every one of them counts in memory, at once. */
  readonly now: boolean
}

type Outcome =
  | { readonly counted: true; readonly over: boolean; readonly count: RateLimitCount }
  | { readonly counted: false; readonly error: unknown }

function isCount(value: unknown): value is RateLimitCount {
  if (typeof value !== 'object' || value === null || value instanceof Error) return false
  const { msBeforeNext, remainingPoints } = value as Record<string, unknown>
  return typeof msBeforeNext === 'number' && typeof remainingPoints === 'number'
}
