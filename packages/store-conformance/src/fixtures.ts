import type { Account, ApiKeyRecord, KeyCredits, Metadata, RateLimit, SigningKeyRecord } from '@latchkey/verifier'

/** A fixed instant with a non-zero millisecond part, so a store that drops milliseconds is caught. */
const epoch = Date.UTC(2025, 2, 4, 5, 6, 7, 89)

/** The instant `offset` milliseconds after the fixtures' fixed epoch. */
export function at(offset = 0): Date {
  return new Date(epoch + offset)
}

/** Metadata with every kind of JSON value, nested, and text a careless encoder would mangle. */
export const richMetadata: Metadata = {
  plan: 'pro',
  limits: { perMinute: 600, burst: [1, 2.5, -3], nested: { deeper: { deepest: [] } }, none: {} },
  tags: ['staging', 'eu-west'],
  active: true,
  retired: false,
  note: null,
  big: 2 ** 53 - 1,
  small: 1e-7,
  quotes: 'a "quoted" \\ backslash\nand a newline',
  'ключ 🔑': 'значение 漢字 🔑',
}

/** An enabled account without metadata; `overrides` replace any field. */
export function makeAccount(overrides: Partial<Account> = {}): Account {
  return {
    id: 'acct_one',
    name: 'Acme Ltd',
    email: 'ops@acme.test',
    status: 'enabled',
    createdAt: at(),
    metadata: {},
    ...overrides,
  }
}

/**
 * An enabled key of `acct_one`, made afresh: no name, description, metadata, expiry or rotation.
 * `overrides` replace any field. The hash is opaque to stores.
 */
export function makeApiKey(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: 'lk_one',
    accountId: 'acct_one',
    secretHash: 'sha256:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU',
    scopes: ['read', 'write'],
    status: 'enabled',
    createdAt: at(),
    name: null,
    description: null,
    metadata: {},
    expiresAt: null,
    replaces: null,
    replacedBy: null,
    ...overrides,
  }
}

/**
 * An EdDSA signing key; `overrides` replace any field. The JWKs are shaped like real ones, nested
 * array included, but are not valid keys: a store keeps them as opaque objects.
 */
export function makeSigningKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  const kid = overrides.kid ?? 'kid-one'
  const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid, alg: 'EdDSA' }
  return {
    kid,
    alg: 'EdDSA',
    publicJwk: { ...publicJwk, use: 'sig' },
    privateJwk: { ...publicJwk, d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', key_ops: ['sign'] },
    createdAt: at(),
    activatesAt: at(60_000),
    expiresAt: null,
    ...overrides,
  }
}

/** An ES256 signing key, so both algorithms' JWK shapes are round-tripped. */
export function makeEs256SigningKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  const kid = overrides.kid ?? 'kid-es256'
  const publicJwk = {
    kty: 'EC',
    crv: 'P-256',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    kid,
    alg: 'ES256',
  }
  return makeSigningKey({
    kid,
    alg: 'ES256',
    publicJwk,
    privateJwk: { ...publicJwk, d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' },
    ...overrides,
  })
}

/** The rate limits of a key or an account as read back: `[]` when the store returns none (absent or empty). */
export function rateLimitsOf(
  record: { readonly rateLimits?: readonly RateLimit[] | undefined } | undefined,
): readonly RateLimit[] {
  if (!record) throw new Error('No record to read rate limits from: the store found none.')
  return record.rateLimits ?? []
}

/** The credits of a key as read back: `null` when the store returns none (absent or null). */
export function creditsOf(record: { readonly credits?: KeyCredits | null | undefined } | undefined): KeyCredits | null {
  if (!record) throw new Error('No key to read credits from: the store found none.')
  return record.credits ?? null
}

/** `remaining` credits that are never refilled. */
export function fixedCredits(remaining: number): KeyCredits {
  return { remaining, refill: null, refillsAt: null }
}
