import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../test/fuzz-runs.js'
import { respond } from '../../test/respond.js'
import { createVerifier, type Verifier } from '../index.js'
import { createKeyManager } from '../manage/key-manager.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'

const issuer = 'https://api.example.test'
let verifier: Verifier
let validBasic: string
let validBearer: string

beforeAll(async () => {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Fuzz' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  verifier = createVerifier({ store, issuer })
  validBasic = `Basic ${btoa(`${key.id}:${key.secret}`)}`
  const response = await respond(
    verifier,
    new Request(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: validBasic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }),
  )
  validBearer = `Bearer ${((await response.json()) as { access_token: string }).access_token}`
})

/** A valid header with one character replaced, inserted or removed after the scheme. */
const mutation = (header: () => string) =>
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('replace', 'insert', 'delete'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    )
    .map(([position, operation, char]) => {
      const value = header()
      const at = 7 + (position % (value.length - 7))
      if (operation === 'delete') return value.slice(0, at) + value.slice(at + 1)
      return value.slice(0, at) + char + value.slice(operation === 'replace' ? at + 1 : at)
    })
    .filter((value) => value !== header())

describe('authenticate under arbitrary Authorization values', () => {
  it('never authenticates an arbitrary string, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (value) => {
        const result = await verifier.authenticate({ authorization: [value] })
        expect(result.ok).toBe(false)
      }),
      { numRuns: fuzzRuns(1500) },
    )
  })

  it('never authenticates a Basic header one character away from a valid one', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutation(() => validBasic),
        async (value) => {
          expect((await verifier.authenticate({ authorization: [value] })).ok).toBe(false)
        },
      ),
      { numRuns: fuzzRuns(1500) },
    )
  })

  it('never authenticates a Bearer token one character away from a valid one', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutation(() => validBearer),
        async (value) => {
          const result = await verifier.authenticate({ authorization: [value] })
          expect(result.ok).toBe(false)
          if (!result.ok) expect(['ERR_INVALID_TOKEN', 'ERR_INVALID_REQUEST']).toContain(result.error.code)
        },
      ),
      { numRuns: fuzzRuns(1000) },
    )
  })

  it('never authenticates another spelling of a valid token: padded, or with spare bits set', async () => {
    const token = validBearer.slice('Bearer '.length)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // Each segment's last character, with its spare bits (RFC 4648 §5) set in every other way.
    const respellings = token.split('.').flatMap((segment, index, segments) => {
      const spare = segment.length % 4 === 2 ? 0b1111 : segment.length % 4 === 3 ? 0b11 : 0
      const last = alphabet.indexOf(segment.at(-1) ?? '')
      return Array.from({ length: spare }, (_, bits) => alphabet[(last & ~spare) | (bits + 1)] ?? '')
        .filter((char) => char !== segment.at(-1))
        .map((char) => segments.map((part, at) => (at === index ? part.slice(0, -1) + char : part)).join('.'))
    })
    const padded = ['=', '==', '==='].map((padding) => token + padding)
    const segmentPadded = token
      .split('.')
      .map((_, index, segments) => segments.map((part, at) => (at === index ? `${part}=` : part)).join('.'))
    const spellings = [...respellings, ...padded, ...segmentPadded]
    expect(spellings.length).toBeGreaterThan(3)
    for (const spelling of spellings) {
      const result = await verifier.authenticate({ authorization: [`Bearer ${spelling}`] })
      expect(result.ok, spelling).toBe(false)
    }
  })

  it('still authenticates the valid headers it mutates', async () => {
    expect((await verifier.authenticate({ authorization: [validBasic] })).ok).toBe(true)
    expect((await verifier.authenticate({ authorization: [validBearer] })).ok).toBe(true)
  })
})
