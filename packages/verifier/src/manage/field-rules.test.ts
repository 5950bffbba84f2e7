import { describe, expect, it } from 'vitest'
import type { Metadata } from '../store/key-store.js'
import {
  checkAccountName,
  checkExpiresAt,
  checkKeyDescription,
  checkKeyName,
  checkMetadata,
  checkScopes,
  MAX_KEY_DESCRIPTION_LENGTH,
  MAX_KEY_NAME_LENGTH,
  MAX_METADATA_BYTES,
} from './field-rules.js'

function refusal(check: () => unknown): string {
  try {
    check()
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    return (error as Error).message
  }
  throw new Error('accepted')
}

describe('key names and descriptions', () => {
  it('are trimmed, and empty means none', () => {
    expect(checkKeyName('  staging  ')).toBe('staging')
    expect(checkKeyName('   ')).toBeNull()
    expect(checkKeyName(null)).toBeNull()
    expect(checkKeyDescription(' CI deploys ')).toBe('CI deploys')
    expect(checkKeyDescription('')).toBeNull()
  })

  it('take up to their limit in characters, counting code points', () => {
    expect(MAX_KEY_NAME_LENGTH).toBe(100)
    expect(MAX_KEY_DESCRIPTION_LENGTH).toBe(1000)
    expect(checkKeyName('😀'.repeat(100))).toHaveLength(200)
    expect(refusal(() => checkKeyName('x'.repeat(101)))).toBe('A key name has 101 characters; at most 100 are allowed.')
    expect(checkKeyDescription('d'.repeat(1000))).toHaveLength(1000)
    expect(refusal(() => checkKeyDescription('d'.repeat(1001)))).toBe(
      'A key description has 1,001 characters; at most 1,000 are allowed.',
    )
  })

  it('refuse control characters, tabs and line breaks included', () => {
    for (const text of ['a\nb', 'a\tb', 'a\u001b[31mb', 'a\u0085b']) {
      expect(refusal(() => checkKeyName(text))).toMatch(/control characters/)
      expect(refusal(() => checkKeyDescription(text))).toMatch(/control characters/)
    }
  })
})

describe('account names', () => {
  it('are trimmed and take 1 to 200 characters without control characters', () => {
    expect(checkAccountName(' Acme ')).toBe('Acme')
    for (const name of ['', '  ', 'x'.repeat(201), 'a\nb']) expect(refusal(() => checkAccountName(name))).toBeTruthy()
  })
})

describe('scopes', () => {
  it('are scope tokens, deduplicated in order', () => {
    expect(checkScopes(['read', 'write', 'read'])).toEqual(['read', 'write'])
    expect(refusal(() => checkScopes(['read', 'a b']))).toMatch(/^"a b" is not a valid scope/)
  })
})

describe('expiry', () => {
  const now = new Date('2030-01-01T00:00:00Z')

  it('must be a valid instant in the future', () => {
    expect(checkExpiresAt(new Date('2030-01-01T00:00:01Z'), now)).toEqual(new Date('2030-01-01T00:00:01Z'))
    expect(refusal(() => checkExpiresAt(new Date(Number.NaN), now))).toBe('expiresAt must be a valid Date.')
    expect(refusal(() => checkExpiresAt('2031-01-01' as unknown as Date, now))).toBe('expiresAt must be a valid Date.')
  })

  it('refuses the present and the past, pointing to disable and revoke', () => {
    for (const date of [now, new Date('2029-12-31T23:59:59Z')]) {
      expect(refusal(() => checkExpiresAt(date, now))).toMatch(
        /is not in the future; to stop a key now, disable or revoke it\.$/,
      )
    }
  })
})

describe('metadata', () => {
  it('accepts a plain object of JSON values, null-prototype objects too, and returns a copy', () => {
    const metadata = { plan: 'pro', seats: 5, ratio: -0, trial: false, note: null, tags: ['a', { b: [1] }] }
    const copy = checkMetadata(metadata)
    expect(copy).toEqual({ ...metadata, ratio: 0 })
    expect(copy).not.toBe(metadata)
    expect(checkMetadata(Object.assign(Object.create(null), { a: 1 }))).toEqual({ a: 1 })
    expect(checkMetadata({})).toEqual({})
  })

  it('keeps a __proto__ key as a key', () => {
    const copy = checkMetadata(JSON.parse('{"__proto__": {"admin": true}}') as Metadata)
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.keys(copy)).toEqual(['__proto__'])
  })

  it.each([
    [[1], 'Metadata must be a plain JSON object: got an array.'],
    [null, 'Metadata must be a plain JSON object: got null.'],
    ['plan', 'Metadata must be a plain JSON object: got a string.'],
    [new Date(0), 'Metadata must be a plain JSON object: got a Date.'],
    [new Map(), 'Metadata must be a plain JSON object: got a Map.'],
  ])('refuses %j at the top', (value, message) => {
    expect(refusal(() => checkMetadata(value as unknown as Metadata))).toBe(message)
  })

  it.each([
    [{ plan: { limits: () => 1 } }, 'Metadata value at plan.limits must be JSON: got a function.'],
    [{ a: undefined }, 'Metadata value at a must be JSON: got undefined.'],
    [{ a: Number.NaN }, 'Metadata value at a must be JSON: got NaN.'],
    [{ a: Number.POSITIVE_INFINITY }, 'Metadata value at a must be JSON: got Infinity.'],
    [{ a: 1n }, 'Metadata value at a must be JSON: got a bigint.'],
    [{ a: Symbol('s') }, 'Metadata value at a must be JSON: got a symbol.'],
    [{ tags: ['x', new Date(0)] }, 'Metadata value at tags[1] must be JSON: got a Date.'],
    [{ 'a.b': { c: new Uint8Array(1) } }, 'Metadata value at ["a.b"].c must be JSON: got a Uint8Array.'],
    // biome-ignore lint/suspicious/noSparseArray: a hole is what is refused here.
    [{ list: [1, , 3] }, 'Metadata value at list[1] must be JSON: got undefined.'],
  ])('refuses a non-JSON value, naming where it is: %#', (value, message) => {
    expect(refusal(() => checkMetadata(value as unknown as Metadata))).toBe(message)
  })

  it('refuses symbol keys, U+0000 and lone surrogates, which JSON or Postgres cannot keep', () => {
    expect(refusal(() => checkMetadata({ [Symbol('s')]: 1 } as unknown as Metadata))).toBe(
      'Metadata at the top level has a symbol key, which JSON cannot hold.',
    )
    expect(refusal(() => checkMetadata({ a: 'x\u0000y' }))).toBe(
      'Metadata value at a holds U+0000, which stores cannot keep.',
    )
    expect(refusal(() => checkMetadata({ 'k\u0000': 1 }))).toMatch(/^Metadata key at \["k\\u0000"\] holds U\+0000/)
    expect(refusal(() => checkMetadata({ a: ['\ud800'] }))).toBe(
      'Metadata value at a[0] is not well-formed Unicode (it has a lone surrogate).',
    )
    expect(checkMetadata({ emoji: '😀' })).toEqual({ emoji: '😀' })
  })

  it('allows 16 levels of nesting and refuses 17, and a cycle', () => {
    const nest = (levels: number): Metadata => {
      let value: Metadata = {}
      for (let level = 1; level < levels; level++) value = { n: value }
      return value
    }
    expect(checkMetadata(nest(16))).toEqual(nest(16))
    expect(refusal(() => checkMetadata(nest(17)))).toMatch(/^Metadata nests deeper than 16 levels at n(\.n){15};/)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(refusal(() => checkMetadata(cycle as Metadata))).toMatch(/^Metadata nests deeper than 16 levels/)
  })

  it('takes up to 4096 bytes of JSON, counting UTF-8 bytes', () => {
    expect(MAX_METADATA_BYTES).toBe(4096)
    // {"a":"…"} is 8 bytes around the value.
    expect(checkMetadata({ a: 'x'.repeat(4088) })).toBeTruthy()
    expect(refusal(() => checkMetadata({ a: 'x'.repeat(4089) }))).toBe(
      'Metadata is 4,097 bytes as JSON; at most 4,096 are allowed.',
    )
    expect(refusal(() => checkMetadata({ a: 'é'.repeat(2556) }))).toBe(
      'Metadata is 5,120 bytes as JSON; at most 4,096 are allowed.',
    )
  })
})
