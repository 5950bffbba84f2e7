import type { KeyStoreSubscription, KeyStoreWatchEvent, KeyStoreWatchListener } from '@latchkey/verifier'
import pg from 'pg'
import { CHANGE_CHANNEL } from './migrations.js'

/** Settings of a {@link ChangeFeed}. */
export interface ChangeFeedOptions {
  /** How the feed's own connection is made. */
  readonly client: pg.ClientConfig
  /** How often the connection is checked, in ms; a check unanswered this long counts as a lost connection. */
  readonly heartbeatInterval: number
}

/** The first wait before re-subscribing after a loss, in ms; it doubles up to {@link maxReconnectDelay}. */
const minReconnectDelay = 100
const maxReconnectDelay = 2000

/**
 * One `LISTEN` connection, shared by every subscriber of a store: it reports changes announced by
 * the schema's triggers, `connected` once it listens, and `disconnected` whenever its connection
 * fails: a live one lost, or an attempt to (re)connect refused or cut. It re-subscribes by itself
 * after a loss, with a backoff, and checks the connection with a heartbeat, since a dead peer
 * behind a silent network would otherwise go unnoticed.
 */
export class ChangeFeed {
  readonly #options: ChangeFeedOptions
  readonly #listeners = new Set<KeyStoreWatchListener>()
  #client: pg.Client | undefined
  #live = false
  #running = false
  #reconnectDelay = minReconnectDelay
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined

  constructor(options: ChangeFeedOptions) {
    this.#options = options
  }

  /** Adds `listener`; the first one opens the connection. A listener joining a live feed is told `connected`. */
  subscribe(listener: KeyStoreWatchListener): KeyStoreSubscription {
    this.#listeners.add(listener)
    if (!this.#running) {
      this.#running = true
      void this.#connect()
    } else if (this.#live) {
      queueMicrotask(() => {
        if (this.#live && this.#listeners.has(listener)) listener({ type: 'connected' })
      })
    }
    return {
      close: () => {
        this.#listeners.delete(listener)
        if (this.#listeners.size === 0) this.close()
      },
    }
  }

  /** Closes the connection and forgets every listener. */
  close(): void {
    this.#listeners.clear()
    this.#running = false
    this.#live = false
    clearTimeout(this.#reconnectTimer)
    clearInterval(this.#heartbeatTimer)
    const client = this.#client
    this.#client = undefined
    client?.end().catch(() => undefined)
  }

  async #connect(): Promise<void> {
    if (!this.#running) return
    const client = new pg.Client(this.#options.client)
    this.#client = client
    const lost = (error?: unknown) => this.#lost(client, error)
    client.on('error', lost)
    client.on('end', () => lost(new Error('The change-feed connection ended.')))
    client.on('notification', (message) => {
      if (this.#client !== client || message.channel !== CHANGE_CHANNEL) return
      const event = parseEvent(message.payload)
      // An unknown payload may still mean a change: forgetting everything is the safe reading.
      this.#emit(event ?? { type: 'connected' })
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANGE_CHANNEL}`)
    } catch (error) {
      lost(error)
      return
    }
    if (this.#client !== client) return
    this.#live = true
    this.#reconnectDelay = minReconnectDelay
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(client), this.#options.heartbeatInterval)
    this.#heartbeatTimer.unref?.()
    this.#emit({ type: 'connected' })
  }

  #heartbeat(client: pg.Client): void {
    const timeout = setTimeout(
      () => this.#lost(client, new Error('The change-feed heartbeat timed out.')),
      this.#options.heartbeatInterval,
    )
    client.query('SELECT 1').then(
      () => clearTimeout(timeout),
      (error: unknown) => {
        clearTimeout(timeout)
        this.#lost(client, error)
      },
    )
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client) return
    this.#client = undefined
    clearInterval(this.#heartbeatTimer)
    client.end().catch(() => undefined)
    this.#live = false
    // A failed attempt is reported too, not only a live connection lost: a verifier whose feed has
    // not listened yet (its first requests) or again (after a loss) serves what it read for
    // `keyStatusFallbackMaxAge`, and this is how it learns at once that the database has gone.
    this.#emit({ type: 'disconnected', error })
    if (!this.#running) return
    const delay = this.#reconnectDelay
    this.#reconnectDelay = Math.min(delay * 2, maxReconnectDelay)
    this.#reconnectTimer = setTimeout(() => void this.#connect(), delay)
    this.#reconnectTimer.unref?.()
  }

  #emit(event: KeyStoreWatchEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event)
      } catch {
        // One listener's failure must not keep the others from hearing of a revocation.
      }
    }
  }
}

/** The event a trigger's payload describes, or `undefined` when it is not one this version knows. */
function parseEvent(payload: string | undefined): KeyStoreWatchEvent | undefined {
  try {
    const value = JSON.parse(payload ?? '') as { type?: unknown; id?: unknown }
    if (value.type === 'signing-keys') return { type: 'signing-keys' }
    if ((value.type === 'api-key' || value.type === 'account') && typeof value.id === 'string') {
      return { type: value.type, id: value.id }
    }
  } catch {
    // Fall through.
  }
  return undefined
}
