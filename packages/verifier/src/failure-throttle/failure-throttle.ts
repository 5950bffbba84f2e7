import { isWellFormedCredential } from '../api-key.js'
import { isLatchkeyError, LatchkeyError } from '../errors.js'
import type { ApiKeyCredential } from '../key-store.js'
import { formatIp, isIpv4, parseIp } from '../lib/ip-address.js'
import type { FailureCount, FailureLimiter, FailureLimiterFactory } from './failure-limiter.js'
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

/** Who a credential check is for: the key id presented and the client address, when known. */
export interface ThrottleSubject {
  readonly keyId: string
  readonly address: string | undefined
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

type Dimension = 'pair' | 'address' | 'key'

/** The key of each counter a subject is counted in; a dimension without one is not counted. */
type CounterKeys = Partial<Record<Dimension, string>>

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
  admitsAtOnce(keys: CounterKeys): boolean {
    return this.#nothingOnRecord(keys)
  }

  #nothingOnRecord(keys: CounterKeys): boolean {
    const { pair, address, key } = this.#counters
    return (
      absent(pair.blocks, keys.pair) &&
      absent(pair.failures, keys.pair) &&
      absent(address.blocks, keys.address) &&
      absent(key.blocks, keys.key)
    )
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

/**
 * Checks credentials through `check` under `throttle`: a blocked address (or address and key id) is
 * refused before any lookup; a blocked key id still has its credentials checked, so a correct secret
 * passes and a wrong one gets 429. Every refusal of the credentials themselves is counted, whatever
 * its reason, so that unknown ids, wrong secrets and disabled keys stay indistinguishable.
 */
export async function checkThrottled(
  throttle: FailureThrottle | undefined,
  subject: ThrottleSubject,
  check: () => Promise<ApiKeyCredential>,
): Promise<ApiKeyCredential> {
  if (!throttle) return check()
  const keys = counterKeys(subject)
  const admission = await throttle.admit(keys)
  if (admission.blocked) throw tooManyAttempts(admission.blocked)
  let key: ApiKeyCredential
  try {
    key = await check()
  } catch (error) {
    if (!isLatchkeyError(error) || error.code !== 'ERR_INVALID_CREDENTIALS') throw error
    await throttle.recordFailure(keys)
    throw admission.keyBlocked ? tooManyAttempts(admission.keyBlocked, error) : error
  }
  if (admission.pairFailing) await throttle.recordSuccess(keys)
  return key
}

/**
 * Whether `throttle` would admit `subject` with nothing to read and nothing to undo after a success
 * ({@link FailureThrottle.admitsAtOnce}), so that a check from memory may stand in for
 * {@link checkThrottled}; `true` without a throttle.
 */
export function admitsAtOnce(throttle: FailureThrottle | undefined, subject: ThrottleSubject): boolean {
  return throttle === undefined || throttle.admitsAtOnce(counterKeys(subject))
}

/**
 * Runs a check that only a forger fails (a Bearer token's signature check) under `throttle`, counting
 * by client address alone: a blocked address is refused with 429 before the check, and every failure
 * `counts` picks is counted against the address, with the failed credential checks of
 * {@link checkThrottled}. Without a known address, `check` runs unthrottled.
 */
export async function checkAddressThrottled<T>(
  throttle: FailureThrottle | undefined,
  address: string | undefined,
  check: () => Promise<T>,
  counts: (error: unknown) => boolean,
): Promise<T> {
  if (!throttle || address === undefined) return check()
  const keys: CounterKeys = { address: networkOf(address) }
  // Nothing on record for the address, as an in-process limiter knows without a read: nothing to wait for.
  if (!throttle.admitsAtOnce(keys)) {
    const { blocked } = await throttle.admit(keys)
    if (blocked) throw tooManyAttempts(blocked)
  }
  try {
    return await check()
  } catch (error) {
    if (counts(error)) await throttle.recordFailure(keys)
    throw error
  }
}

function tooManyAttempts(block: ThrottleBlock, refusal?: LatchkeyError): LatchkeyError {
  return new LatchkeyError('ERR_TOO_MANY_ATTEMPTS', 'Too many failed attempts: retry after Retry-After seconds.', {
    retryAfter: block.retryAfter,
    limit: block.limit,
    ...(refusal ? { cause: refusal, ...(refusal.reason ? { reason: refusal.reason } : {}) } : {}),
  })
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

/**
 * The counter keys of `subject`. Only well-formed ids are counted per id (they are what reaches the
 * store; the format is public), cut to 128 characters to bound keys. An IPv6 client counts by its
 * /64, the smallest block a host is usually given: otherwise one host could rotate through 2^64
 * addresses.
 */
function counterKeys({ keyId, address }: ThrottleSubject): CounterKeys {
  // Built without spreads: this runs on every Basic and token request.
  const keys: { -readonly [dimension in Dimension]?: string } = {}
  if (isWellFormedCredential(keyId)) keys.key = keyId.length > 128 ? keyId.slice(0, 128) : keyId
  if (address !== undefined) {
    keys.address = networkOf(address)
    if (keys.key !== undefined) keys.pair = `${keys.key}@${keys.address}`
  }
  return keys
}

/** Recently seen addresses and their counter keys: parsing an address costs more than looking it up. */
const networks = new Map<string, string>()

function networkOf(address: string): string {
  let network = networks.get(address)
  if (network === undefined) {
    network = parseNetwork(address)
    if (networks.size >= 1024) networks.clear()
    networks.set(address, network)
  }
  return network
}

function parseNetwork(address: string): string {
  const bytes = parseIp(address)
  if (!bytes) return address.slice(0, 64)
  if (isIpv4(bytes)) return formatIp(bytes)
  bytes.fill(0, 8)
  return `${formatIp(bytes)}/64`
}

function inRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, not ${value}.`)
  }
  return value
}
