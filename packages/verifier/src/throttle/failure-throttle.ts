import { inRange } from '../lib/in-range.js'
import type { FailureCount, FailureLimiter, FailureLimiterFactory } from '../store/failure-limiter.js'
import type { CounterKeys, Dimension } from './counter-keys.js'
import { memoryFailureLimiter } from './memory-failure-limiter.js'

/**
 * Settings of brute-force throttling (`failureThrottle` of `createVerifier`). Failed credential
 * checks (Basic and the token endpoint) are counted three ways, each with its own threshold, and
 * Bearer tokens that fail their signature or claims count against the client address; past a
 * threshold the counter blocks for `initialBlock` seconds, doubling with every further failure up to
 * `maxBlock`. See docs/security.md, "Brute-force throttling".
 */
export interface FailureThrottleOptions {
  /**
   * Failures for one key id from one client address before that address is blocked for that key id,
   * correct secret or not. A success from that address for that key id starts the count again.
   * Default: 10.
   */
  readonly perKeyAndAddress?: number
  /**
   * Failures from one client address, whatever the key ids, before the address is blocked for every
   * key id, and for every Bearer token not already verified (tokens verified before keep working). Successes do not reset it: an attacker holding one valid key could otherwise reset it at
   * will. IPv6 addresses count by their /64. Default: 100.
   */
  readonly perAddress?: number
  /**
   * Failures for one key id from every address before wrong secrets for it answer 429 instead of
   * 401. A correct secret is still checked and let through, so an attack cannot lock the owner out.
   * Counted alike for ids that exist and ids that do not. Default: 100.
   */
  readonly perKey?: number
  /** How long failures are counted, in seconds, from the first failure of a counter. 1 to 86,400. Default: 900. */
  readonly window?: number
  /** The first block, in seconds. 1 to 86,400. Default: 1. */
  readonly initialBlock?: number
  /** The longest block, in seconds. `initialBlock` to 86,400. Default: 900. */
  readonly maxBlock?: number
  /**
   * Where counts live. Default: the store's {@link KeyStore.createFailureLimiter} when it has one
   * (Postgres: shared by every instance), else in-process memory.
   */
  readonly limiter?: FailureLimiterFactory
  /** Most keys each in-process counter holds before forgetting the oldest. Default: 50,000. */
  readonly memoryCapacity?: number
}

/** A block in force: the threshold that was crossed and the seconds until it ends. */
export interface ThrottleBlock {
  readonly limit: number
  /** Whole seconds, at least 1. */
  readonly retryAfter: number
}

/** What is known before a credential check. */
export interface Admission {
  /** The address, or the address for this key id, is blocked: refuse without checking. */
  readonly blocked: ThrottleBlock | undefined
  /** The key id is blocked: check, let a correct secret through, answer 429 to a wrong one. */
  readonly keyBlocked: ThrottleBlock | undefined
  /** Failures for this key id from this address are being counted (a success resets them). */
  readonly pairFailing: boolean
}

interface Counter {
  readonly threshold: number
  readonly failures: FailureLimiter
  readonly blocks: FailureLimiter
}

/** The admission of a subject with nothing on record. */
const clear: Admission = Object.freeze({ blocked: undefined, keyBlocked: undefined, pairFailing: false })

/** The admission of a subject with failures for its key id and address on record, and no block. */
const failing: Admission = Object.freeze({ blocked: undefined, keyBlocked: undefined, pairFailing: true })

/**
 * Counts failed credential checks and decides when to refuse. Limiter calls that fail or take longer
 * than `timeout` ms count as "no record": a limiter outage must not lock every client out, and the
 * key store (which answers 503 when down) is what guards against failing open on credentials.
 */
export class FailureThrottle {
  readonly #counters: Record<Dimension, Counter>
  /**
   * What holds a subject back before its check, each with the dimension of its counter key: the blocks
   * of all three dimensions, and the pair's failure count, which a success must reset.
   */
  readonly #admission: readonly (readonly [FailureLimiter, Dimension])[]
  readonly #initialBlock: number
  readonly #maxBlock: number
  /** Milliseconds a shared limiter may take; `undefined` for the in-process one, which cannot hang. */
  readonly #timeout: number | undefined

  constructor(options: FailureThrottleOptions, storeLimiter: FailureLimiterFactory | undefined, timeout: number) {
    const window = inRange('failureThrottle.window', options.window ?? 900, 1, 86_400)
    this.#initialBlock = inRange('failureThrottle.initialBlock', options.initialBlock ?? 1, 1, 86_400)
    this.#maxBlock = inRange('failureThrottle.maxBlock', options.maxBlock ?? 900, this.#initialBlock, 86_400)
    const shared = options.limiter ?? storeLimiter
    this.#timeout = shared ? timeout : undefined
    const create =
      shared ??
      memoryFailureLimiter(inRange('failureThrottle.memoryCapacity', options.memoryCapacity ?? 50_000, 1, 10_000_000))
    const counter = (dimension: Dimension, threshold: number): Counter => ({
      threshold: inRange(`failureThrottle.${optionName[dimension]}`, threshold, 1, 1_000_000),
      failures: create({ keyPrefix: `latchkey_fail_${dimension}`, points: threshold, duration: window }),
      // A block is a record above `points` that lives as long as the block.
      blocks: create({ keyPrefix: `latchkey_block_${dimension}`, points: 0, duration: this.#maxBlock }),
    })
    this.#counters = {
      pair: counter('pair', options.perKeyAndAddress ?? 10),
      address: counter('address', options.perAddress ?? 100),
      key: counter('key', options.perKey ?? 100),
    }
    const { pair, address, key } = this.#counters
    this.#admission = [
      [pair.blocks, 'pair'],
      [pair.failures, 'pair'],
      [address.blocks, 'address'],
      [key.blocks, 'key'],
    ]
  }

  /** What applies to the subject of `keys` ({@link counterKeys}) before its credentials are checked. */
  async admit(keys: CounterKeys): Promise<Admission> {
    if (this.#nothingOnRecord(keys)) return clear
    const { pair, address, key } = this.#counters
    // An in-process limiter's word is taken for the pair count: if it may have one, a success deletes it.
    const pairMayFail = keys.pair === undefined ? false : pair.failures.mayHaveCount?.(keys.pair)
    const reads = [
      read(pair.blocks, keys.pair),
      read(address.blocks, keys.address),
      read(key.blocks, keys.key),
      pairMayFail === undefined ? read(pair.failures, keys.pair) : null,
    ] as const
    // Nothing to read (failures on record, no block): the common case under a wrong-secret flood.
    if (reads.every((pending) => pending === null)) return pairMayFail ? failing : clear
    // One timeout for the reads, not one each: this runs on every Basic request and token request.
    const records = await this.#call(Promise.all(reads), null)
    if (!records) return clear
    const [pairRecord, addressRecord, keyRecord, pairCount] = records
    const blocked = [this.#asBlock('pair', pairRecord), this.#asBlock('address', addressRecord)].reduce<
      ThrottleBlock | undefined
    >((longest, block) => (block && (!longest || block.retryAfter > longest.retryAfter) ? block : longest), undefined)
    return {
      blocked,
      keyBlocked: this.#asBlock('key', keyRecord),
      pairFailing: pairMayFail ?? (pairCount?.consumedPoints ?? 0) > 0,
    }
  }

  /** Counts a failed check for the subject of `keys` and starts or lengthens the blocks it crosses into. */
  async recordFailure(keys: CounterKeys): Promise<void> {
    await Promise.all(
      (Object.keys(this.#counters) as Dimension[]).map(async (dimension) => {
        const key = keys[dimension]
        if (key === undefined) return
        const { threshold, failures, blocks } = this.#counters[dimension]
        const count = await this.#call(failures.penalty(key), null)
        if (!count || count.consumedPoints < threshold) return
        const doublings = Math.min(count.consumedPoints - threshold, 30)
        await this.#call(blocks.block(key, Math.min(this.#maxBlock, this.#initialBlock * 2 ** doublings)), null)
      }),
    )
  }

  /** Starts the count of the subject's address for its key id again, after a correct secret. */
  async recordSuccess({ pair }: CounterKeys): Promise<void> {
    if (pair !== undefined) await this.#call(this.#counters.pair.failures.delete(pair), false)
  }

  /**
   * Whether the limiters know, without a read, that none of `keys` has a block or a pair count: then
   * {@link FailureThrottle.admit} admits with nothing to undo after a success. Only in-process limiters
   * ({@link FailureLimiter.mayHaveCount}) can say so; with a shared one it is always `false`.
   */
  admitsNow(keys: CounterKeys): boolean {
    return this.#nothingOnRecord(keys)
  }

  /**
   * Whether every limiter knows, without a read, that it holds no count for anyone: then
   * {@link FailureThrottle.admitsNow} holds for every subject, and its keys need not be built.
   */
  holdsNone(): boolean {
    for (const [limiter] of this.#admission) if (limiter.holdsNone?.() !== true) return false
    return true
  }

  #nothingOnRecord(keys: CounterKeys): boolean {
    for (const [limiter, dimension] of this.#admission) if (!absent(limiter, keys[dimension])) return false
    return true
  }

  #asBlock(dimension: Dimension, record: FailureCount | null): ThrottleBlock | undefined {
    // `msBeforeNext` is -1 for a record without expiry, which a block never is.
    if (!record || record.consumedPoints <= 0 || record.msBeforeNext <= 0) return undefined
    return {
      limit: this.#counters[dimension].threshold,
      retryAfter: Math.max(1, Math.ceil(record.msBeforeNext / 1000)),
    }
  }

  async #call<T, F>(operation: Promise<T>, fallback: F): Promise<T | F> {
    if (this.#timeout === undefined) {
      try {
        return await operation
      } catch {
        return fallback
      }
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      return await Promise.race([
        operation,
        new Promise<F>((resolve) => {
          timer = setTimeout(() => resolve(fallback), this.#timeout)
        }),
      ])
    } catch {
      return fallback
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Whether `limiter` knows, without a read, that `key` (or no key at all) has no count. */
function absent(limiter: FailureLimiter, key: string | undefined): boolean {
  return key === undefined || limiter.mayHaveCount?.(key) === false
}

/** `key`'s count, skipping the read when there is no key or the limiter knows it has no count. */
function read(limiter: FailureLimiter, key: string | undefined): Promise<FailureCount | null> | null {
  return key === undefined || limiter.mayHaveCount?.(key) === false ? null : limiter.get(key)
}

const optionName: Record<Dimension, string> = { pair: 'perKeyAndAddress', address: 'perAddress', key: 'perKey' }
