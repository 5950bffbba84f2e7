import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../test/fuzz-runs.js'
import { respond } from '../../test/respond.js'
import { createVerifier, type Verifier } from '../index.js'
import { createKeyManager } from '../manage/key-manager.js'
import type { KeyStore } from '../store/key-store.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'

const issuer = 'https://api.example.test'
/** RFC 6749 §5.2 and RFC 6750 §3.1 error codes, and RFC 6749's 503 temporarily_unavailable. */
const oauthErrors = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'temporarily_unavailable',
]

let store: MemoryKeyStore
let verifier: Verifier
let key: { id: string; secret: string }

beforeAll(async () => {
  store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Fuzz' })
  key = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
  verifier = createVerifier({ store, issuer })
})

/** Header values a client can send: latin-1 without CR, LF or NUL (Headers refuses the rest). */
const headerValue = fc.string({ unit: 'binary', maxLength: 120 }).filter((value) => {
  try {
    new Headers({ x: value })
    return true
  } catch {
    return false
  }
})

/** Parts of a real client's request, so that the fuzzer comes near a grant as well as far from one. */
const piece = () =>
  fc.oneof(
    fc.constantFrom('grant_type', 'client_credentials', 'client_id', 'client_secret', 'scope', 'read', 'resource'),
    fc.constantFrom(key.id, key.secret, issuer, `${key.secret}x`, key.id.toUpperCase()),
    fc.string({ unit: 'binary', maxLength: 20 }),
  )

/** Mostly `likely`, sometimes anything `other` gives: near-valid requests reach the deeper checks. */
const mostly = <T>(likely: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: likely, weight: 4 }, { arbitrary: other, weight: 1 })

const formBody = () =>
  fc
    .record({
      grant: mostly(
        fc.constant<[string, string][]>([['grant_type', 'client_credentials']]),
        fc.array(fc.tuple(piece(), piece()), { maxLength: 1 }),
      ),
      client: fc.oneof(
        fc.constant([]),
        fc.constant([
          ['client_id', key.id],
          ['client_secret', key.secret],
        ]),
        fc.array(fc.tuple(fc.constantFrom('client_id', 'client_secret'), piece()), { maxLength: 2 }),
      ),
      extra: fc.array(fc.tuple(piece(), piece()), { maxLength: 3 }),
    })
    .chain(({ grant, client, extra }) =>
      fc.shuffledSubarray([...grant, ...client, ...extra], { minLength: 0 }).map((entries) => entries),
    )
    .map((entries) => new URLSearchParams(entries as [string, string][]).toString())

const authorization = () =>
  fc.option(
    fc.oneof(
      fc.tuple(piece(), piece()).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
      fc.constant(`Basic ${btoa(`${key.id}:${key.secret}`)}`),
      headerValue,
    ),
    { nil: undefined },
  )

const requestParts = () =>
  fc.record({
    method: mostly(fc.constant('POST'), fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH')),
    contentType: mostly(
      fc.constant<string | undefined>('application/x-www-form-urlencoded'),
      fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain'), headerValue), { nil: undefined }),
    ),
    authorization: authorization(),
    body: mostly(formBody(), fc.string({ unit: 'binary', maxLength: 200 })),
    query: mostly(
      fc.constant<string | undefined>(undefined),
      fc.constantFrom('?scope=read', `?client_secret=${key.secret}`, '?'),
    ),
  })

type Parts = typeof requestParts extends () => fc.Arbitrary<infer T> ? T : never

function toRequest(parts: Parts): Request {
  const headers = new Headers()
  if (parts.contentType !== undefined) headers.set('content-type', parts.contentType)
  if (parts.authorization !== undefined) headers.set('authorization', parts.authorization)
  const hasBody = parts.method !== 'GET'
  return new Request(`${issuer}/oauth/token${parts.query ?? ''}`, {
    method: parts.method,
    headers,
    ...(hasBody ? { body: parts.body } : {}),
  })
}

/** What every answer of the token endpoint must be, whatever was asked. */
async function expectWellFormed(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  expect(response.headers.get('cache-control')).toBe('no-store')
  const body = (await response.json()) as Record<string, unknown>
  if (response.status === 200) {
    expect(body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), expires_in: 3600 })
  } else {
    expect(oauthErrors).toContain(body.error)
    expect(body).not.toHaveProperty('access_token')
  }
  return body
}

describe('The token endpoint under arbitrary requests', () => {
  it('always answers well-formed JSON, never 5xx, and grants a token only to the real key', async () => {
    const statuses = new Set<number>()
    await fc.assert(
      fc.asyncProperty(requestParts(), async (parts) => {
        const request = toRequest(parts)
        const response = await respond(verifier, request)
        expect([200, 400, 401, 405, 429]).toContain(response.status)
        await expectWellFormed(response)
        statuses.add(response.status)
        if (response.status === 200) {
          // A grant needs a POST carrying the real secret, in Basic or in the body.
          expect(parts.method).toBe('POST')
          const basic = /^Basic (.*)$/i.exec(parts.authorization ?? '')?.[1]
          const basicSecret = basic && Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':')
          const bodySecret = new URLSearchParams(parts.body).get('client_secret')
          expect([basicSecret, bodySecret]).toContain(key.secret)
        }
      }),
      { numRuns: fuzzRuns(1000) },
    )
    // The generators reach grants and every kind of refusal, not only the first check.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 401, 405]))
  })

  it('answers 503 temporarily_unavailable, never 200 or 401, while the store fails', async () => {
    const failing = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'findApiKey' || property === 'listSigningKeys') {
          return () => {
            throw new Error('The database is down.')
          }
        }
        return Reflect.get(target, property, receiver)
      },
    }) as KeyStore
    const down = createVerifier({ store: failing, issuer })
    await fc.assert(
      fc.asyncProperty(requestParts(), async (parts) => {
        const response = await respond(down, toRequest(parts))
        expect([400, 401, 405, 429, 503]).toContain(response.status)
        const body = await expectWellFormed(response)
        // A 401 is only for requests refused before the store: no credentials, or malformed ones.
        if (response.status === 401) expect(body.error).toBe('invalid_client')
      }),
      { numRuns: fuzzRuns(300) },
    )
    const valid = toRequest({
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${key.id}:${key.secret}`)}`,
      body: 'grant_type=client_credentials',
      query: undefined,
    })
    const response = await respond(down, valid)
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' })
  })
})
