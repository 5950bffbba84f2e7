import { createPrivateKey, sign } from 'node:crypto'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../test/fuzz-runs.js'
import {
  isFinalRefusal,
  isForgery,
  type TokenSettings,
  verifyAccessToken,
  verifyWithJose,
} from '../bearer/access-token.js'
import { isLatchkeyError } from '../errors.js'
import { generateSigningKey } from '../signing-keys/signing-key-generation.js'
import { SigningKeyRing } from '../signing-keys/signing-key-ring.js'
import type { SigningKeyRecord } from '../store/key-store.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { verifyTokenNow } from './verify-token-now.js'

// The differential test of issue #22: the Node verification (node:crypto, in the same turn) and
// jose's answer every token alike, valid, tampered or malformed: the same claims, or a refusal of
// the same reason, as final, and as much a forgery (which the failure throttle counts).

const issuer = 'https://api.example.test'
const now = Date.UTC(2030, 0, 1, 12)
const nowSeconds = now / 1000
const clockTolerance = 5
let settings: TokenSettings
let keys: { readonly record: SigningKeyRecord; readonly sign: (input: Buffer) => Buffer }[]

beforeAll(async () => {
  const store = new MemoryKeyStore()
  const records = [
    await generateSigningKey('EdDSA', new Date(now - 60_000)),
    await generateSigningKey('ES256', new Date(now - 120_000)),
  ]
  for (const record of records) await store.insertSigningKey(record)
  const ring = new SigningKeyRing({
    store,
    storeTimeout: 1000,
    algorithm: 'EdDSA',
    now: () => now,
    refreshInterval: 60_000,
  })
  for (const record of records) await ring.verificationKey(record.kid)
  settings = { ring, issuer, audience: issuer, clockTolerance, now: () => now }
  keys = records.map((record) => {
    const key = createPrivateKey({ key: record.privateJwk as never, format: 'jwk' })
    return {
      record,
      sign: (input) =>
        record.alg === 'EdDSA' ? sign(null, input, key) : sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' }),
    }
  })
})

/** What a verification answered, in the terms the verifier acts on. */
async function outcomeOf(verify: () => unknown): Promise<unknown> {
  try {
    const { claims, kid } = (await verify()) as { claims: unknown; kid: string }
    return { ok: true, claims, kid }
  } catch (error) {
    if (!isLatchkeyError(error)) return { thrown: String(error) }
    return { code: error.code, reason: error.reason, final: isFinalRefusal(error), forgery: isForgery(error) }
  }
}

const segment = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** Anything JSON or not: what a header or a claim set may be instead of an object. */
const oddJson = fc.constantFrom<unknown>('not json', '[]', 'null', '"x"', '42', '{"a":1', '\u00ff\u00fe')
const pick = <T>(...values: T[]) => fc.constantFrom(...values)
const absent = Symbol('absent')
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, fc.constant<typeof absent>(absent))
const time = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map((offset) => nowSeconds + offset),
  pick<unknown>(nowSeconds + 3600, nowSeconds - 3600, '1900000000', null, nowSeconds + 0.5),
)

/** At most two of `choices` (name: values), each replacing or (`absent`) removing that member. */
const changesOf = (choices: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .uniqueArray(fc.oneof(...Object.entries(choices).map(([name, value]) => fc.tuple(fc.constant(name), value))), {
      maxLength: 2,
      selector: ([name]) => name,
    })
    .map((entries) => Object.fromEntries(entries) as Record<string, unknown>)

/** Header parameters other than a valid token's. */
const headerChanges = changesOf({
  alg: optional(pick<unknown>('EdDSA', 'ES256', 'RS256', 'none', 'HS256', '', 7)),
  kid: optional(pick<unknown>('other-key', 'unknown', 3, null)),
  typ: optional(pick<unknown>('AT+JWT', 'application/at+jwt', 'application/AT+jwt', 'jwt', 'x/at+jwt', 1)),
  crit: optional(pick<unknown>(['b64'], [], ['exp'], 'b64')),
  b64: optional(pick<unknown>(true, false)),
})

/** Claims other than a valid token's. */
const claimChanges = changesOf({
  iss: optional(pick<unknown>(`${issuer}/`, 1)),
  aud: optional(pick<unknown>([issuer, 'other'], ['other'], 'other', 5)),
  sub: optional(pick<unknown>('key_2', 9)),
  client_id: optional(pick<unknown>('key_2', null)),
  jti: optional(pick<unknown>('j2', 4)),
  iat: optional(time),
  exp: optional(time),
  nbf: time,
  scope: optional(pick<unknown>('', 12)),
})

const withoutAbsent = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== absent))

/**
 * A token signed by one of the ring's keys: a valid one with some header parameters and claims
 * changed (or not JSON objects at all), then perhaps one character of it altered.
 */
const token = fc
  .record({
    header: fc.oneof({ weight: 9, arbitrary: headerChanges }, { weight: 1, arbitrary: oddJson }),
    claims: fc.oneof({ weight: 9, arbitrary: claimChanges }, { weight: 1, arbitrary: oddJson }),
    signer: fc.nat({ max: 1 }),
    alteration: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.tuple(fc.nat({ max: 2 }), fc.nat(), fc.integer({ min: 1, max: 63 })) },
    ),
  })
  .map(({ header: changes, claims: changed, signer, alteration }) => {
    const key = keys[signer] as (typeof keys)[number]
    const own = { alg: key.record.alg, kid: key.record.kid, typ: 'at+jwt' }
    const protectedHeader =
      typeof changes === 'object' && changes !== null
        ? withoutAbsent({
            ...own,
            ...changes,
            ...((changes as { kid?: unknown }).kid === 'other-key' ? { kid: keys[1 - signer]?.record.kid } : {}),
          })
        : changes
    const valid = {
      iss: issuer,
      aud: issuer,
      sub: 'key_1',
      client_id: 'key_1',
      jti: 'j1',
      iat: nowSeconds,
      exp: nowSeconds + 60,
    }
    const set = typeof changed === 'object' && changed !== null ? withoutAbsent({ ...valid, ...changed }) : changed
    const input = `${segment(protectedHeader)}.${segment(set)}`
    const parts = [...input.split('.'), key.sign(Buffer.from(input)).toString('base64url')]
    if (alteration) {
      const [part, position, shift] = alteration
      const text = parts[part] as string
      const at = position % text.length
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const swapped = alphabet[(alphabet.indexOf(text.charAt(at)) + shift) % 64] as string
      parts[part] = text.slice(0, at) + swapped + text.slice(at + 1)
    }
    return parts.join('.')
  })

describe('verifyTokenNow against jose', () => {
  it('answers every token, valid, altered or malformed, as jose does', async () => {
    const seen = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(token, async (candidate) => {
        const node = await outcomeOf(() => verifyAccessToken({ ...settings, verifyNow: verifyTokenNow }, candidate))
        const jose = await outcomeOf(() => verifyAccessToken(settings, candidate))
        expect(node).toEqual(jose)
        const kind = JSON.stringify((jose as { ok?: true }).ok ? 'ok' : { ...(jose as object), thrown: undefined })
        seen.set(kind, (seen.get(kind) ?? 0) + 1)
      }),
      { numRuns: fuzzRuns(600) },
    )
    // Each kind of answer was among them, hundreds of times or tens: accepted, invalid (final or
    // not) and forged. Expired tokens are rarer; the next test has one.
    const kinds = [...seen.keys()]
    expect(kinds).toContain('"ok"')
    expect(kinds.some((kind) => kind.includes('"forgery":true'))).toBe(true)
    expect(kinds.some((kind) => kind.includes('"final":false'))).toBe(true)
    expect(kinds.some((kind) => kind.includes('"forgery":false') && kind.includes('token_invalid'))).toBe(true)
  })

  it('answers in the same turn a valid, a forged and an expired token of a key held ready, as jose does', async () => {
    const [ed, es] = keys as [(typeof keys)[number], (typeof keys)[number]]
    for (const key of [ed, es]) {
      const header = { alg: key.record.alg, kid: key.record.kid, typ: 'at+jwt' }
      const set = {
        iss: issuer,
        aud: issuer,
        sub: 'key_1',
        client_id: 'key_1',
        jti: 'j',
        iat: nowSeconds,
        exp: nowSeconds + 60,
      }
      const input = `${segment(header)}.${segment(set)}`
      const valid = `${input}.${key.sign(Buffer.from(input)).toString('base64url')}`
      expect(verifyTokenNow(settings, valid)).toEqual({ claims: set, kid: key.record.kid })
      expect(await outcomeOf(() => verifyWithJose(settings, valid))).toEqual({
        ok: true,
        claims: set,
        kid: key.record.kid,
      })
      const forged = `${input}.${key.sign(Buffer.from(`${input}x`)).toString('base64url')}`
      const refusal = { code: 'ERR_INVALID_TOKEN', reason: 'token_invalid', final: true, forgery: true }
      expect(await outcomeOf(() => verifyTokenNow(settings, forged))).toEqual(refusal)
      expect(await outcomeOf(() => verifyWithJose(settings, forged))).toEqual(refusal)
      // Expired: `exp` just at the end of the clock tolerance.
      const late = `${segment(header)}.${segment({ ...set, exp: nowSeconds - clockTolerance })}`
      const expired = `${late}.${key.sign(Buffer.from(late)).toString('base64url')}`
      const expiry = { code: 'ERR_INVALID_TOKEN', reason: 'token_expired', final: true, forgery: false }
      expect(await outcomeOf(() => verifyTokenNow(settings, expired))).toEqual(expiry)
      expect(await outcomeOf(() => verifyWithJose(settings, expired))).toEqual(expiry)
    }
  })

  it('leaves to jose a kid the ring does not hold ready and a header naming crit', () => {
    const ed = keys[0] as (typeof keys)[number]
    for (const header of [
      { alg: 'EdDSA', kid: 'unknown', typ: 'at+jwt' },
      { alg: 'EdDSA', kid: ed.record.kid, typ: 'at+jwt', crit: ['b64'], b64: true },
    ]) {
      const input = `${segment(header)}.${segment({ iss: issuer })}`
      expect(verifyTokenNow(settings, `${input}.${ed.sign(Buffer.from(input)).toString('base64url')}`)).toBeUndefined()
    }
  })
})
