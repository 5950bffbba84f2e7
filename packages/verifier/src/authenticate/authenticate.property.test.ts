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
          // Base64url has spare bits in the signature's last character: only a change there may survive,
          // because the signature covers the header and payload as encoded text.
          if (result.ok) expect(value.slice(0, -1)).toBe(validBearer.slice(0, -1))
          else expect(['ERR_INVALID_TOKEN', 'ERR_INVALID_REQUEST']).toContain(result.error.code)
        },
      ),
      { numRuns: fuzzRuns(1000) },
    )
  })

  it('still authenticates the valid headers it mutates', async () => {
    expect((await verifier.authenticate({ authorization: [validBasic] })).ok).toBe(true)
    expect((await verifier.authenticate({ authorization: [validBearer] })).ok).toBe(true)
  })
})
