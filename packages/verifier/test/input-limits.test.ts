import { beforeAll, describe, expect, it } from 'vitest'
import {
  createVerifier,
  type KeyStore,
  MAX_AUTHORIZATION_LENGTH,
  MAX_FORM_BODY_BYTES,
  MAX_FORM_PARAMETERS,
  MAX_TOKEN_LENGTH,
  MemoryKeyStore,
  type Verifier,
} from '../src/index.js'
import { createKeyManager } from '../src/manage/index.js'
import { respond } from './respond.js'

const issuer = 'https://api.example.test'
const form = { 'content-type': 'application/x-www-form-urlencoded' }
const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`

/** `store` behind a proxy that counts every call by method name. */
function countingStore(store: KeyStore): { store: KeyStore; calls: Map<string, number>; total(): number } {
  const calls = new Map<string, number>()
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1)
        return value.apply(target, args)
      }
    },
  })
  return { store: proxy, calls, total: () => [...calls.values()].reduce((sum, count) => sum + count, 0) }
}

let shared: MemoryKeyStore
let key: { id: string; secret: string }
let token: string

beforeAll(async () => {
  shared = new MemoryKeyStore()
  const manager = createKeyManager(shared)
  const account = await manager.createAccount({ name: 'Limits' })
  key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  // Issued by another verifier on the same store, so the verifiers under test start cold.
  const response = await respond(
    createVerifier({ store: shared, issuer }),
    tokenRequest({}, 'grant_type=client_credentials'),
  )
  token = ((await response.json()) as { access_token: string }).access_token
})

/** A fresh verifier on a counting proxy of the shared store: its signing keys are not loaded yet. */
function cold(): { verifier: Verifier; calls: Map<string, number>; total(): number } {
  const counting = countingStore(shared)
  return { ...counting, verifier: createVerifier({ store: counting.store, issuer }) }
}

function tokenRequest(headers: Record<string, string>, body: BodyInit): Request {
  return new Request(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { ...form, authorization: basic(key.id, key.secret), ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit)
}

/** `token` with its payload padded to exactly `length` characters: a valid shape, a wrong signature. */
function tokenOfLength(length: number): string {
  const [head = '', payload = '', signature = ''] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
  const bare = `${head}.${Buffer.from(JSON.stringify({ ...claims, pad: '' })).toString('base64url')}.${signature}`
  // Every 4 characters of padding add 3 bytes of base64url; the remainder goes in the signature.
  const padBytes = Math.floor((length - bare.length) / 4) * 3
  const padded = Buffer.from(JSON.stringify({ ...claims, pad: 'x'.repeat(padBytes) })).toString('base64url')
  const candidate = `${head}.${padded}.${signature}`
  const result = candidate + 'A'.repeat(length - candidate.length)
  expect(result).toHaveLength(length)
  return result
}

describe('Limits on attacker-controlled input, refused before any store lookup or signature check', () => {
  it(`refuses an Authorization value over ${MAX_AUTHORIZATION_LENGTH} characters with 400, reading nothing`, async () => {
    const { verifier, total } = cold()
    const value = `Basic ${'QUJD'.repeat(Math.ceil(MAX_AUTHORIZATION_LENGTH / 4))}`
    expect(value.length).toBeGreaterThan(MAX_AUTHORIZATION_LENGTH)
    const result = await verifier.authenticate({ authorization: [value] })
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_REQUEST' } })
    const response = await respond(verifier, tokenRequest({ authorization: value }, 'grant_type=client_credentials'))
    expect(response.status).toBe(400)
    expect(total()).toBe(0)
  })

  it('refuses a Basic id or secret over 256 characters with the uniform 401, without a lookup', async () => {
    const { verifier, calls, total } = cold()
    for (const [id, secret] of [
      [`lk_${'a'.repeat(254)}`, key.secret],
      [key.id, `lksecret_${'a'.repeat(248)}`],
    ] as const) {
      expect(id.length > 256 || secret.length > 256).toBe(true)
      const result = await verifier.authenticate({ authorization: [basic(id, secret)] })
      expect(result).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_CREDENTIALS', reason: 'malformed_key' } })
    }
    expect(total()).toBe(0)
    // The control: at 256 characters the id is looked up.
    await verifier.authenticate({ authorization: [basic(`lk_${'a'.repeat(253)}`, key.secret)] })
    expect(calls.get('findApiKey')).toBe(1)
  })

  it('refuses a client_id or client_secret over 256 characters at the token endpoint with 401, without a lookup', async () => {
    const { verifier, total } = cold()
    for (const [id, secret] of [
      ['x'.repeat(257), key.secret],
      [key.id, 'x'.repeat(257)],
    ]) {
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: id ?? '',
        client_secret: secret ?? '',
      })
      const response = await respond(
        verifier,
        new Request(`${issuer}/oauth/token`, { method: 'POST', headers: form, body: body.toString() }),
      )
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ error: 'invalid_client' })
    }
    expect(total()).toBe(0)
  })

  it(`refuses a well-shaped token over ${MAX_TOKEN_LENGTH} characters without loading a signing key`, async () => {
    const { verifier, calls, total } = cold()
    const result = await verifier.authenticate({ authorization: [`Bearer ${tokenOfLength(MAX_TOKEN_LENGTH + 1)}`] })
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_TOKEN', reason: 'malformed_token' } })
    expect(total()).toBe(0)
    // The control: a token of exactly the limit goes on to the signature check, which loads the keys.
    const atLimit = await verifier.authenticate({ authorization: [`Bearer ${tokenOfLength(MAX_TOKEN_LENGTH)}`] })
    expect(atLimit).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_TOKEN', reason: 'token_invalid' } })
    expect(calls.get('listSigningKeys')).toBeGreaterThanOrEqual(1)
    expect(calls.get('findApiKey')).toBeUndefined()
  })

  it(`refuses a token request body over ${MAX_FORM_BODY_BYTES} bytes with 400, declared or streamed, without a lookup`, async () => {
    const { verifier, total } = cold()
    const body = `grant_type=client_credentials&pad=${'x'.repeat(MAX_FORM_BODY_BYTES)}`
    const declared = await respond(verifier, tokenRequest({ 'content-length': String(body.length) }, body))
    expect(declared.status).toBe(400)
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1
        controller.enqueue(
          new TextEncoder().encode(pulled === 1 ? 'grant_type=client_credentials&pad=' : 'x'.repeat(1024)),
        )
      },
    })
    const streamed = await respond(verifier, tokenRequest({}, endless))
    expect(streamed.status).toBe(400)
    expect(await streamed.json()).toMatchObject({ error: 'invalid_request' })
    // The stream was abandoned just past the limit, not read to its (absent) end.
    expect(pulled).toBeLessThan(MAX_FORM_BODY_BYTES / 1024 + 4)
    expect(total()).toBe(0)
  })

  it(`refuses a token request of more than ${MAX_FORM_PARAMETERS} parameters with 400, without a lookup`, async () => {
    const { verifier, calls, total } = cold()
    const parameters = (count: number) =>
      ['grant_type=client_credentials', ...Array.from({ length: count - 1 }, (_, index) => `p${index}=v`)].join('&')
    const over = await respond(verifier, tokenRequest({}, parameters(MAX_FORM_PARAMETERS + 1)))
    expect(over.status).toBe(400)
    expect(await over.json()).toMatchObject({ error: 'invalid_request' })
    expect(total()).toBe(0)
    // The control: exactly the limit is read, and the client looked up.
    expect((await respond(verifier, tokenRequest({}, parameters(MAX_FORM_PARAMETERS)))).status).toBe(200)
    // The key, and the absent id every check also looks up (credential-check.ts).
    expect(calls.get('findApiKey')).toBe(2)
  })
})
