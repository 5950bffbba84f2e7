import { type CryptoKey, importJWK, type JWK } from 'jose'
import type { KeyStore, SigningKeyRecord } from '../store/key-store.js'
import { callStore } from '../store/store-call.js'
import { type KeyEncryptionKey, openPrivateKey } from './key-encryption.js'
import { publishedJwk } from './published-jwk.js'
import { generateSigningKey } from './signing-key-generation.js'
import { activeSigningKey, verifiesAt } from './signing-key-state.js'

/** The JWS algorithms Latchkey signs with. Each key is tied to one: no token may choose another. */
export type SigningAlgorithm = SigningKeyRecord['alg']

/** A key ready to sign or verify. */
export interface LoadedKey {
  readonly kid: string
  readonly alg: SigningAlgorithm
  readonly key: CryptoKey
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JSONWebKeySet {
  keys: JWK[]
}

interface RingOptions {
  readonly store: KeyStore
  /** How long a store call may take, in ms, before it fails with `ERR_STORE_UNAVAILABLE`. */
  readonly storeTimeout: number
  /** Algorithm of keys this ring generates. */
  readonly algorithm: SigningAlgorithm
  /** Milliseconds since the epoch. */
  readonly now: () => number
  /** How long, in ms, a loaded ring is used before the store is read again (rotation by other instances). */
  readonly refreshInterval: number
  /** Seals the private keys this ring generates, and opens the sealed ones it signs with. */
  readonly keyEncryptionKey?: KeyEncryptionKey | undefined
}

/** An unknown `kid` reloads the ring at most this often (ms), so forged kids cannot flood the store. */
const unknownKidReloadInterval = 1000

/**
 * The signing keys of the store, loaded and imported once. It generates and persists the first key,
 * so restarts keep issued tokens valid, and it reloads when a token names a key it has not seen, so
 * a key added by another instance verifies at once.
 */
export class SigningKeyRing {
  readonly #options: RingOptions
  #records: readonly SigningKeyRecord[] = []
  #loadedAt = Number.NEGATIVE_INFINITY
  /** Set when the store reported a change: the next use reloads, whatever the refresh interval. */
  #stale = false
  #loading: Promise<void> | undefined
  /** The one generation of a key under way: concurrent callers without an active key share it. */
  #generating: Promise<SigningKeyRecord> | undefined
  readonly #imported = new Map<string, Promise<CryptoKey>>()
  /** The public keys imported so far, by `kid`, for {@link SigningKeyRing.verificationKeyNow}. */
  readonly #verifyingNow = new Map<string, LoadedKey>()

  constructor(options: RingOptions) {
    this.#options = options
  }

  /** The key to sign new tokens with: the newest active one. Generates the first key when there is none. */
  async signingKey(): Promise<LoadedKey> {
    await this.#fresh()
    const record = this.#newestActive() ?? (await this.#generateActive())
    return { kid: record.kid, alg: record.alg, key: await this.#import(record, 'privateJwk') }
  }

  /**
   * Generates and stores a key, once for every caller that arrives while it runs, then reads the
   * store back and answers its newest active key: the one every instance on the store signs with.
   */
  #generateActive(): Promise<SigningKeyRecord> {
    this.#generating ??= (async () => {
      try {
        const { store, storeTimeout } = this.#options
        const generated = await this.#generate()
        // On a store with no key at all, only one writer of all instances may insert the first; the
        // others adopt it. Otherwise (every key expired, or only pending ones) each inserts its own,
        // and the read below makes them all pick the same newest.
        const insertFirst = this.#records.length === 0 ? store.insertFirstSigningKey?.bind(store) : undefined
        await callStore(storeTimeout, () => (insertFirst ? insertFirst(generated) : store.insertSigningKey(generated)))
        await this.#reloadAfterWrite()
        const record = this.#newestActive()
        if (!record) throw new Error('No signing key is active after generating one; check the clocks of your servers.')
        return record
      } finally {
        this.#generating = undefined
      }
    })()
    return this.#generating
  }

  /** The key that verifies tokens under `kid`, or `undefined` when there is none or it has expired. */
  async verificationKey(kid: string): Promise<LoadedKey | undefined> {
    await this.#fresh()
    let record = this.#find(kid)
    if (!record && this.#options.now() - this.#loadedAt >= unknownKidReloadInterval) {
      await this.#reload()
      record = this.#find(kid)
    }
    if (!record) return undefined
    const loaded: LoadedKey = { kid: record.kid, alg: record.alg, key: await this.#import(record, 'publicJwk') }
    this.#verifyingNow.set(record.kid, loaded)
    return loaded
  }

  /**
   * {@link SigningKeyRing.verificationKey} when it can answer without waiting (the ring is fresh and
   * the key under `kid` imported), else `undefined`, also for a `kid` it has no key for.
   */
  verificationKeyNow(kid: string): LoadedKey | undefined {
    if (!this.#isFresh()) return undefined
    const record = this.#find(kid)
    return record && this.#verifyingNow.get(record.kid)
  }

  /**
   * Whether tokens under `kid` may still be accepted: the key is known and not expired. Checked on
   * every request, so retiring a key takes effect for tokens already verified too.
   */
  async verifies(kid: string): Promise<boolean> {
    await this.#fresh()
    return this.#find(kid) !== undefined
  }

  /**
   * {@link SigningKeyRing.verifies} when it can answer without reading the store (the ring is fresh),
   * else `undefined`.
   */
  verifiesNow(kid: string): boolean | undefined {
    if (!this.#isFresh()) return undefined
    return this.#find(kid) !== undefined
  }

  /** The public keys that verify tokens now, for `/.well-known/jwks.json`; the current signing key among them. */
  async jwks(): Promise<JSONWebKeySet> {
    // A fresh server publishes the key it is about to sign with, before its first token.
    await this.signingKey()
    return {
      keys: this.#records.filter((record) => this.#usable(record)).map(publishedJwk),
    }
  }

  /**
   * Makes the next use read the store again, as when the store's change feed reports a signing-key
   * change. A failed reload keeps the keys loaded so far, as a scheduled refresh does.
   */
  invalidate(): void {
    this.#stale = true
  }

  /** Whether the keys loaded are used as they are, without reading the store again. */
  #isFresh(): boolean {
    return !this.#stale && this.#options.now() - this.#loadedAt < this.#options.refreshInterval
  }

  async #fresh(): Promise<void> {
    if (this.#isFresh()) return
    try {
      await this.#reload()
    } catch (error) {
      // A stale ring still verifies and signs correctly; only a ring never loaded must fail.
      if (this.#loadedAt === Number.NEGATIVE_INFINITY) throw error
    }
  }

  #reload(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        // Bounded, so a store that never answers cannot hold every later reload on this promise.
        // Cleared before the read: a change reported while it runs marks the ring stale again.
        this.#stale = false
        this.#records = await callStore(this.#options.storeTimeout, () => this.#options.store.listSigningKeys())
        this.#loadedAt = this.#options.now()
      } catch (error) {
        this.#stale = true
        throw error
      } finally {
        this.#loading = undefined
      }
    })()
    return this.#loading
  }

  /** A reload that reads after the write just made: one already under way may have read before it. */
  async #reloadAfterWrite(): Promise<void> {
    await this.#loading?.catch(() => undefined)
    await this.#reload()
  }

  #find(kid: string): SigningKeyRecord | undefined {
    const record = this.#records.find((candidate) => candidate.kid === kid)
    return record && this.#usable(record) ? record : undefined
  }

  #usable(record: SigningKeyRecord): boolean {
    return verifiesAt(record, this.#options.now())
  }

  #newestActive(): SigningKeyRecord | undefined {
    return activeSigningKey(this.#records, this.#options.now())
  }

  #import(record: SigningKeyRecord, which: 'publicJwk' | 'privateJwk'): Promise<CryptoKey> {
    const cacheKey = `${which}:${record.kid}`
    let key = this.#imported.get(cacheKey)
    if (!key) {
      key =
        which === 'privateJwk'
          ? openPrivateKey(record.kid, record.privateJwk, this.#options.keyEncryptionKey).then(
              (jwk) => importJWK(jwk, record.alg) as Promise<CryptoKey>,
            )
          : (importJWK(record.publicJwk, record.alg) as Promise<CryptoKey>)
      this.#imported.set(cacheKey, key)
      key.catch(() => this.#imported.delete(cacheKey))
    }
    return key
  }

  #generate(): Promise<SigningKeyRecord> {
    const createdAt = new Date(this.#options.now())
    return generateSigningKey(this.#options.algorithm, createdAt, createdAt, this.#options.keyEncryptionKey)
  }
}
