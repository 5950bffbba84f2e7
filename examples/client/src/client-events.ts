import type { ClientHooks, TokenCacheEvent, TokenRequestReason, TokenResponseEvent } from '@latchkey/client'

/** What a client reported through its hooks since the last {@link ClientEvents.take}. */
export interface ReportedEvents {
  /** Token requests that got a token, by reason (`initial`, `stale`, `expired`…), in order. */
  readonly tokenRequests: readonly TokenRequestReason[]
  /** How the token cache answered each call: `hit`, `stale`, `store` or `miss`. */
  readonly cache: readonly TokenCacheEvent['result'][]
  /** API calls sent again with a new token after a 401. */
  readonly authRetries: number
}

/** Collects a client's hook events, so each step of a walk-through can say what the client did. */
export class ClientEvents {
  #tokenRequests: TokenRequestReason[] = []
  #cache: TokenCacheEvent['result'][] = []
  #authRetries = 0
  #lastToken: TokenResponseEvent | undefined
  #waiting: ((event: TokenResponseEvent) => void)[] = []

  /** The hooks to give the client. */
  readonly hooks: ClientHooks = {
    onTokenResponse: (event) => {
      this.#tokenRequests.push(event.reason)
      this.#lastToken = event
      for (const resolve of this.#waiting.splice(0)) resolve(event)
    },
    onTokenCache: (event) => {
      this.#cache.push(event.result)
    },
    onAuthRetry: () => {
      this.#authRetries += 1
    },
  }

  /** Seconds the last token obtained is valid for, as the client counts them. */
  get lifetime(): number | undefined {
    return this.#lastToken?.expiresIn
  }

  /**
   * Resolves once the next token obtained, such as a background refresh's, is cached; rejects after
   * `timeout` ms. Call it before the call that starts the request.
   */
  nextTokenCached(timeout = 10_000): Promise<TokenResponseEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No token response within ${timeout} ms.`)), timeout)
      this.#waiting.push((event) => {
        clearTimeout(timer)
        // The hook runs before the client caches the token, in the same turn: resolve a turn later.
        setTimeout(() => resolve(event), 0)
      })
    })
  }

  /** The events since the last call, and forgets them. */
  take(): ReportedEvents {
    const taken = { tokenRequests: this.#tokenRequests, cache: this.#cache, authRetries: this.#authRetries }
    this.#tokenRequests = []
    this.#cache = []
    this.#authRetries = 0
    return taken
  }
}
