import { Redis } from 'ioredis'
import { DEFAULT_KEY_PREFIX, DEFAULT_TIMEOUT, type RedisCounterOptions } from './redis-options.js'
import { withTimeout } from './with-timeout.js'

/** ioredis states in which a connection attempt is under way, so that waiting for it is worth it. */
const CONNECTING = new Set(['wait', 'connecting', 'connect'])

/** The first retry's delay and the longest, in milliseconds: 100, 200, 400 … 2000, 2000 … */
const FIRST_RETRY = 100
const LONGEST_RETRY = 2_000

/**
 * One ioredis client and the rules every count follows on it: wait for a connection only while one is
 * being made (never through a backoff pause), send nothing while it is not ready, and settle within
 * `timeout`. Fail closed: whatever goes wrong is an `Error`, never a count.
 */
export class RedisConnection {
  readonly client: Redis
  readonly timeout: number
  readonly #keyPrefix: string
  /** Whether the package made the client, so that `close()` ends it. */
  readonly #owned: boolean
  /** The connection attempt every waiting count shares, one listener whatever their number. */
  #connecting: Promise<void> | undefined
  /** The last error the client reported, given as the `cause` of a refused count. */
  #lastError: Error | undefined
  /** Set by `close()` on a client the package made: counts are refused from then on. */
  #closed = false

  constructor(options: RedisCounterOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('Pass { url } (redis://HOST:PORT) or { client } (an ioredis client) for the Redis counters.')
    }
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT
    if (!Number.isSafeInteger(this.timeout) || this.timeout < 1 || this.timeout > 60_000) {
      throw new RangeError("The Redis counters' `timeout` must be a whole number of milliseconds from 1 to 60000.")
    }
    const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX
    if (typeof prefix !== 'string') throw new TypeError("The Redis counters' `keyPrefix` must be a string.")
    this.#keyPrefix = prefix === '' ? '' : `${prefix}:`
    if (options.client !== undefined) {
      this.client = options.client
      this.#owned = false
    } else {
      this.client = createClient(options.url, this.timeout)
      this.#owned = true
    }
    this.client.on('error', (error: Error) => {
      this.#lastError = error
    })
  }

  /** The key prefix to give rate-limiter-flexible for a policy's own `prefix`. */
  keyPrefix(prefix: string): string {
    return this.#keyPrefix + prefix
  }

  /**
   * Runs `operation` once the client is ready, within `timeout`. A rejection that is not an `Error`
   * (rate-limiter-flexible's "over the limit") passes through as it is; an `Error` is wrapped in one
   * that says what failed, its `cause` kept.
   */
  run<T>(operation: () => Promise<T>): Promise<T> {
    const attempt = this.#ready().then(() =>
      operation().catch((reason: unknown) => {
        if (reason instanceof Error) throw this.#refusal(`Redis did not count the request (${reason.message})`, reason)
        throw reason
      }),
    )
    return withTimeout(attempt, this.timeout, () => this.#refusal(`Redis did not answer within ${this.timeout} ms`))
  }

  /**
   * Resolves once the client is ready, or once it is known not to be (or `timeout` passes): never
   * rejects. For callers with a fallback of their own, so that their first calls do not take it only
   * because the connection was still being made.
   */
  settled(): Promise<void> {
    return withTimeout(this.#ready(), this.timeout, () => new Error('Redis is still connecting')).catch(() => undefined)
  }

  /**
   * Ends the client the package made, waiting for replies under way when it can, and resolves once it
   * has ended (within `timeout`); leaves a caller's client open.
   */
  async close(): Promise<void> {
    if (!this.#owned || this.#closed) return
    this.#closed = true
    const { status } = this.client
    if (status === 'end') return
    const ended = new Promise<void>((resolve) => this.client.once('end', () => resolve()))
    // Not connected, or not writable after all: cut the connection (and stop reconnecting) instead.
    if (status === 'ready') await this.client.quit().catch(() => this.client.disconnect())
    else this.client.disconnect()
    // Between attempts there is no socket to wait for: ioredis only cancels the next attempt.
    if (status === 'reconnecting') return
    await withTimeout(ended, this.timeout, () => new Error('Redis did not close')).catch(() => undefined)
  }

  /** Resolves when the client is ready: at once, after the attempt under way, or never (rejects). */
  #ready(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('These Redis counters were closed: make new ones to count.'))
    const { status } = this.client
    if (status === 'ready') return Promise.resolve()
    if (!CONNECTING.has(status)) {
      // Between attempts (the backoff) or closed: refuse now rather than make the request wait.
      return Promise.reject(this.#refusal(`Redis is not connected (${status})`))
    }
    this.#connecting ??= new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        this.client.off('ready', onReady)
        this.client.off('close', onClose)
        this.#connecting = undefined
        if (error) reject(error)
        else resolve()
      }
      const onReady = () => settle()
      const onClose = () => settle(this.#refusal('Redis is not connected (the connection attempt failed)'))
      this.client.on('ready', onReady)
      this.client.on('close', onClose)
      // A caller's client made with `lazyConnect` connects at the first count.
      if (status === 'wait') this.client.connect().catch(() => undefined)
    })
    return this.#connecting
  }

  /** An `Error` for a count that could not be made, with the client's last error as its cause. */
  #refusal(reason: string, cause: Error | undefined = this.#lastError): Error {
    const message = `${reason}: the Redis counters count nothing until it answers (limited requests are refused).`
    return cause ? new Error(message, { cause }) : new Error(message)
  }
}

/** An ioredis client for `url` that fails fast and heals by itself (see `RedisUrlOptions.url`). */
function createClient(url: unknown, timeout: number): Redis {
  // The URL may hold a password: never repeat it in a message.
  if (typeof url !== 'string' || !/^rediss?:\/\/./.test(url)) {
    throw new TypeError("The Redis counters' `url` must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379.")
  }
  return new Redis(url, {
    // A count while disconnected fails at once: queued, it would hold the request and count it late.
    enableOfflineQueue: false,
    // A count is never sent twice: the first may have counted before the connection dropped.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: Math.max(timeout, 1_000),
    commandTimeout: timeout,
    retryStrategy: (attempt: number) => Math.min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_RETRY),
  })
}
