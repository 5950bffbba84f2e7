import { LatchkeyClientError } from './errors.js'

/**
 * Whether a client is still open, and the signal each of its token requests is cancelled by when it
 * closes. Not one `AbortController` for the client's whole life: Cloudflare Workers tie an
 * `AbortController`, and every signal derived from it, to the request that made it, so a client kept
 * in module scope could only make calls in its first request. Each request takes a controller of its
 * own, made where it runs, and `close()` aborts every one in flight.
 */
export class ClientLifetime {
  #closed = false
  readonly #inFlight = new Set<AbortController>()

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** Throws `ERR_CLOSED` once the client is closed. */
  assertOpen(): void {
    if (this.#closed) throw closedError()
  }

  /** Runs `call` with a signal that aborts if the client closes before it settles. */
  async during<T>(call: (closing: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController()
    if (this.#closed) controller.abort()
    this.#inFlight.add(controller)
    try {
      return await call(controller.signal)
    } finally {
      this.#inFlight.delete(controller)
    }
  }

  /** Closes the client: later calls throw `ERR_CLOSED`, calls in flight are aborted. */
  close(): void {
    this.#closed = true
    for (const controller of this.#inFlight) controller.abort()
    this.#inFlight.clear()
  }
}

/** The error of a call made after `close()`. */
export function closedError(): LatchkeyClientError {
  return new LatchkeyClientError('ERR_CLOSED', 'The client was closed; create a new one to make more calls.')
}
