import { LatchkeyError } from '../errors.js'
import { inRange } from '../lib/in-range.js'
import type { KeyEncryptionKey } from '../signing-keys/key-encryption.js'
import { generateSigningKey } from '../signing-keys/signing-key-generation.js'
import {
  activeSigningKey,
  type SigningKeyState,
  signingKeyStates,
  verifiesAt,
} from '../signing-keys/signing-key-state.js'
import type { KeyStore, SigningKeyRecord } from '../store/key-store.js'

/** Options of {@link rotateSigningKey}. */
export interface RotateSigningKeyOptions {
  /**
   * Seals the new key's private half at rest, as the verifiers do (`keyEncryptionKey` of
   * `createVerifier`). Default: none, the private key is stored as a plain JWK.
   */
  readonly keyEncryptionKey?: KeyEncryptionKey
  /**
   * How long the new key is published before it signs, in ms. Every instance must load it in that
   * time, so it must exceed the instances' `signingKeyRefreshInterval` (stores with a change feed,
   * such as Postgres, also push it at once). Default: 120,000 (twice the default refresh interval).
   */
  readonly activationDelay?: number | undefined
  /**
   * The longest access-token lifetime of any instance, in seconds: the old key verifies this long
   * after the new one activates, plus `clockTolerance`. Default: 3600 (the verifier's default).
   */
  readonly tokenLifetime?: number | undefined
  /** Seconds added to the old key's life for clock differences between instances. Default: 60. */
  readonly clockTolerance?: number | undefined
  /** Algorithm of the new key. Default: that of the active key, else `'EdDSA'`. */
  readonly algorithm?: SigningKeyRecord['alg'] | undefined
  /** The clock, in ms since the epoch. Default: `Date.now`. */
  readonly now?: (() => number) | undefined
}

/** What {@link rotateSigningKey} did. */
export interface SigningKeyRotation {
  /** The new key, without its private JWK. */
  readonly added: SigningKeyInfo
  /** The keys that were in use, each now expiring after its last token can have expired. */
  readonly retired: readonly SigningKeyInfo[]
}

/** A signing key as listed: everything but the private JWK, with its state at listing time. */
export interface SigningKeyInfo extends Omit<SigningKeyRecord, 'privateJwk'> {
  readonly state: SigningKeyState
}

/**
 * Rotates the signing key of every instance sharing `store`, without refusing a single valid token:
 *
 * 1. adds a new key that activates `activationDelay` from now, so every instance publishes it in its
 *    JWKS before any instance signs with it;
 * 2. sets every key still in use to expire at `activation + tokenLifetime + clockTolerance`: the
 *    old key signs until the new one activates, and its last token expires `tokenLifetime` later.
 *
 * @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` for an out-of-range option or a store that cannot
 *   expire signing keys; `ERR_STORE_UNAVAILABLE`-worthy database errors pass through as they come.
 */
export async function rotateSigningKey(
  store: KeyStore,
  options: RotateSigningKeyOptions = {},
): Promise<SigningKeyRotation> {
  const activationDelay = argumentInRange('activationDelay', options.activationDelay ?? 120_000, 0, 30 * 86_400_000)
  const tokenLifetime = argumentInRange('tokenLifetime', options.tokenLifetime ?? 3600, 0, 86_400)
  const clockTolerance = argumentInRange('clockTolerance', options.clockTolerance ?? 60, 0, 3600)
  const now = (options.now ?? Date.now)()
  if (!store.expireSigningKey) {
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      'This key store cannot expire signing keys, so it cannot rotate them; upgrade the store package.',
    )
  }
  const before = await store.listSigningKeys()
  const algorithm = options.algorithm ?? activeSigningKey(before, now)?.alg ?? 'EdDSA'
  const activatesAt = now + activationDelay
  // Created after every existing key, even within one millisecond or behind a slow clock: the
  // newest-created activated key is the one that signs, so the rotation must win.
  const createdAt = Math.max(now, ...before.map((record) => record.createdAt.getTime() + 1))
  const added = await generateSigningKey(
    algorithm,
    new Date(createdAt),
    new Date(activatesAt),
    options.keyEncryptionKey,
  )
  // The new key goes in first: were the process to die between the two steps, the old key would
  // still be in use, never a store left without a key that verifies today's tokens.
  await store.insertSigningKey(added)
  const expiresAt = new Date(activatesAt + (tokenLifetime + clockTolerance) * 1000)
  const retired: SigningKeyRecord[] = []
  for (const record of before) {
    if (!verifiesAt(record, now) || (record.expiresAt !== null && record.expiresAt <= expiresAt)) continue
    const updated = await store.expireSigningKey(record.kid, expiresAt)
    if (updated) retired.push(updated)
  }
  const states = signingKeyStates([...before, added], now)
  const stateOf = (kid: string) => (kid === added.kid ? states.at(-1) : states[before.findIndex((r) => r.kid === kid)])
  const info = (record: SigningKeyRecord) => toInfo(record, stateOf(record.kid) ?? 'pending')
  return { added: info(added), retired: retired.map(info) }
}

/** The signing keys of `store`, oldest first, without private JWKs, each with its state at `now`. */
export async function listSigningKeys(
  store: KeyStore,
  options: { readonly now?: (() => number) | undefined } = {},
): Promise<SigningKeyInfo[]> {
  const records = await store.listSigningKeys()
  const states = signingKeyStates(records, (options.now ?? Date.now)())
  return records.map((record, index) => toInfo(record, states[index] ?? 'expired'))
}

function toInfo({ privateJwk: _, ...record }: SigningKeyRecord, state: SigningKeyState): SigningKeyInfo {
  return { ...record, state }
}

/** {@link inRange} for a management call: a bad argument is `ERR_INVALID_ARGUMENT`. */
function argumentInRange(name: string, value: number, min: number, max: number): number {
  try {
    return inRange(name, value, min, max)
  } catch (error) {
    throw new LatchkeyError('ERR_INVALID_ARGUMENT', (error as Error).message)
  }
}
