import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { respond } from '../test/respond.js'
import type { AuthEvent } from './audit/events.js'
import { hashSecret } from './basic/api-key.js'
import { type AuthenticationResult, createVerifier, toResponse, type Verifier } from './index.js'
import { createKeyManager } from './manage/key-manager.js'
import type { ApiKeyRecord } from './store/key-store.js'
import { MemoryKeyStore } from './store/memory-key-store.js'

// What the verifier does with a key's lifecycle fields, on the memory store (read on every request,
// so a change counts from the next one). The stores' own handling of the fields is the conformance
// suite's; the CLI's, the CLI tests'.

const issuer = 'https://api.example.test'
const start = Date.UTC(2026, 0, 1)

async function setUp() {
  const clock = { now: start }
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const events: AuthEvent[] = []
  const verifier = createVerifier({ store, issuer, now: () => clock.now, onEvent: (event) => events.push(event) })
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
  return { clock, store, manager, verifier, events, account, key }
}

function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${id}:${secret}`)}`
}

function tokenRequest(init: { authorization?: string; body?: string }): Request {
  return new Request(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(init.authorization === undefined ? {} : { authorization: init.authorization }),
    },
    body: init.body ?? 'grant_type=client_credentials',
  })
}

async function token(verifier: Verifier, id: string, secret: string) {
  const response = await respond(verifier, tokenRequest({ authorization: basic(id, secret) }))
  return { response, body: (await response.json()) as Record<string, unknown> }
}

function stored(record: ApiKeyRecord | undefined): ApiKeyRecord {
  if (!record) throw new Error('the key is not in the store')
  return record
}

function principalOf(result: AuthenticationResult) {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}`)
  return result.principal
}

/** The whole answer to a refused request: status, headers and body bytes. */
async function refusal(verifier: Verifier, result: AuthenticationResult) {
  if (result.ok) throw new Error('expected a refusal')
  const response = toResponse(verifier.answerError(result.error))
  return { status: response.status, headers: [...response.headers], body: await response.text() }
}

describe('the principal', () => {
  it("carries the key's name and metadata as they are now, by Basic and by Bearer", async () => {
    const { store, verifier, key } = await setUp()
    const metadata = { plan: 'pro', tenant: { id: 7, region: 'eu' } }
    await store.updateApiKey(key.id, { name: 'staging', metadata })
    const byBasic = principalOf(await verifier.authenticate({ authorization: [basic(key.id, key.secret)] }))
    expect(byBasic).toMatchObject({ keyName: 'staging', metadata })
    const accessToken = String((await token(verifier, key.id, key.secret)).body.access_token)
    await store.updateApiKey(key.id, { name: null, metadata: { plan: 'enterprise' } })
    const byBearer = principalOf(await verifier.authenticate({ authorization: [`Bearer ${accessToken}`] }))
    expect(byBearer).toMatchObject({ keyName: null, metadata: { plan: 'enterprise' } })
  })
})

describe('expiry', () => {
  it('refuses a key from its expiresAt on, with the bytes a revoked key gets, and says key_expired', async () => {
    const { clock, store, manager, verifier, events, account, key } = await setUp()
    await store.updateApiKey(key.id, { expiresAt: new Date(start + 60_000) })
    const request = { authorization: [basic(key.id, key.secret)] }
    clock.now = start + 59_999
    expect((await verifier.authenticate(request)).ok).toBe(true)
    // From memory too (the secret is remembered now): the instant is compared on every request.
    clock.now = start + 60_000
    expect(await verifier.authenticateNow(request)).toMatchObject({ ok: false })
    const expired = await verifier.authenticate(request)
    expect(expired).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_CREDENTIALS', reason: 'key_expired' } })
    expect(events.at(-1)).toMatchObject({ outcome: 'failure', reason: 'key_expired', keyId: key.id })

    const other = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
    await manager.revokeApiKey(other.id)
    const revoked = await verifier.authenticate({ authorization: [basic(other.id, other.secret)] })
    expect(await refusal(verifier, expired)).toEqual(await refusal(verifier, revoked))
  })

  it("cuts a token's lifetime to its key's remaining life, and ends tokens already issued with the key", async () => {
    const { clock, store, verifier, key } = await setUp()
    await store.updateApiKey(key.id, { expiresAt: new Date(start + 100_500) })
    clock.now = start + 250
    const { response, body } = await token(verifier, key.id, key.secret)
    expect(response.status).toBe(200)
    expect(body.expires_in).toBe(100)
    const claims = decodeJwt(String(body.access_token))
    expect(Number(claims.exp) - Number(claims.iat)).toBe(100)
    expect(Number(claims.exp) * 1000).toBeLessThanOrEqual(start + 100_500)

    // The token itself is valid (within its exp and the clock tolerance), but its key is gone.
    const bearer = { authorization: [`Bearer ${String(body.access_token)}`] }
    clock.now = start + 100_000
    expect((await verifier.authenticate(bearer)).ok).toBe(true)
    clock.now = start + 100_500
    expect(await verifier.authenticateNow(bearer)).toMatchObject({ ok: false })
    expect(await verifier.authenticate(bearer)).toMatchObject({
      ok: false,
      error: { code: 'ERR_INVALID_TOKEN', reason: 'key_expired' },
    })
  })

  it('issues no token in the last second of a key, and none after', async () => {
    const { clock, store, verifier, key } = await setUp()
    await store.updateApiKey(key.id, { expiresAt: new Date(start + 1_400) })
    clock.now = start + 1_000
    const last = await token(verifier, key.id, key.secret)
    expect(last.response.status).toBe(401)
    expect(last.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) })
    clock.now = start + 5_000
    expect((await token(verifier, key.id, key.secret)).response.status).toBe(401)
    // Without an expiry the full lifetime is granted.
    await store.updateApiKey(key.id, { expiresAt: null })
    expect((await token(verifier, key.id, key.secret)).body.expires_in).toBe(3600)
  })
})

describe('rotation with an overlap', () => {
  it('lets both keys in during the overlap, then only the new one; the old key tokens end with it', async () => {
    const { clock, store, verifier, key } = await setUp()
    const oldToken = String((await token(verifier, key.id, key.secret)).body.access_token)
    const newSecret = 'a-replacement-secret'
    const replacement: ApiKeyRecord = {
      ...stored(await store.getApiKey(key.id)),
      id: 'lk_replacement',
      secretHash: hashSecret(newSecret),
      createdAt: new Date(clock.now),
      replaces: key.id,
      replacedBy: null,
    }
    const rotation = await store.rotateApiKey(key.id, replacement, new Date(start + 30_000))
    expect(rotation.rotated).toBe(true)
    const authenticate = (authorization: string) => verifier.authenticate({ authorization: [authorization] })
    expect((await authenticate(basic(key.id, key.secret))).ok).toBe(true)
    expect((await authenticate(`Bearer ${oldToken}`)).ok).toBe(true)
    expect((await authenticate(basic('lk_replacement', newSecret))).ok).toBe(true)
    clock.now = start + 30_000
    expect(await authenticate(basic(key.id, key.secret))).toMatchObject({ ok: false, error: { reason: 'key_expired' } })
    expect(await authenticate(`Bearer ${oldToken}`)).toMatchObject({ ok: false, error: { reason: 'key_expired' } })
    expect((await authenticate(basic('lk_replacement', newSecret))).ok).toBe(true)
  })
})

describe('scope changes', () => {
  it('narrows Basic and tokens already issued at once; widening reaches new tokens only', async () => {
    const { store, verifier, key } = await setUp()
    const accessToken = String((await token(verifier, key.id, key.secret)).body.access_token)
    await store.updateApiKey(key.id, { scopes: ['read'] })
    const byBasic = principalOf(await verifier.authenticate({ authorization: [basic(key.id, key.secret)] }))
    expect(byBasic.scopes).toEqual(['read'])
    const byBearer = principalOf(await verifier.authenticate({ authorization: [`Bearer ${accessToken}`] }))
    expect(byBearer.scopes).toEqual(['read'])
    const refused = verifier.checkScopes(byBearer, ['write'])
    expect(refused?.code).toBe('ERR_INSUFFICIENT_SCOPE')
    if (!refused) throw new Error('expected a scope refusal')
    expect(toResponse(verifier.answerError(refused)).status).toBe(403)

    await store.updateApiKey(key.id, { scopes: ['read', 'write', 'admin'] })
    const widened = principalOf(await verifier.authenticate({ authorization: [`Bearer ${accessToken}`] }))
    expect(widened.scopes).toEqual(['read', 'write'])
    const fresh = String((await token(verifier, key.id, key.secret)).body.access_token)
    const freshPrincipal = principalOf(await verifier.authenticate({ authorization: [`Bearer ${fresh}`] }))
    expect(freshPrincipal.scopes).toEqual(['read', 'write', 'admin'])
  })
})

describe('imported keys', () => {
  // A Stormpath key: 25 characters of [0-9A-Z], a 43-character base64 secret with `+` and `/`.
  const stormpath = { id: '3QN9B7ZK1VXH8T2M5RCJ0YW4E', secret: 'k/3Jh+DOL7qBM7X2fE9dyhJ+2eaZ7GH6B0ZQx0W4Gl8' }

  async function withImported(secret = stormpath.secret) {
    const context = await setUp()
    await context.store.insertApiKey({
      ...stored(await context.store.getApiKey(context.key.id)),
      id: stormpath.id,
      secretHash: hashSecret(secret),
    })
    return context
  }

  it('authenticates by Basic', async () => {
    const { verifier } = await withImported()
    const principal = principalOf(
      await verifier.authenticate({ authorization: [basic(stormpath.id, stormpath.secret)] }),
    )
    expect(principal.keyId).toBe(stormpath.id)
  })

  it('gets tokens with Basic sent raw (as Stormpath clients did) or form-encoded (RFC 6749 §2.3.1), and in the body', async () => {
    const { verifier } = await withImported()
    const raw = await respond(verifier, tokenRequest({ authorization: basic(stormpath.id, stormpath.secret) }))
    expect(raw.status).toBe(200)
    const encoded = basic(encodeURIComponent(stormpath.id), encodeURIComponent(stormpath.secret))
    expect((await respond(verifier, tokenRequest({ authorization: encoded }))).status).toBe(200)
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: stormpath.id,
      client_secret: stormpath.secret,
    })
    expect((await respond(verifier, tokenRequest({ body: body.toString() }))).status).toBe(200)
    const wrong = await respond(verifier, tokenRequest({ authorization: basic(stormpath.id, `${stormpath.secret}x`) }))
    expect(wrong.status).toBe(401)
  })

  it('takes a raw secret that is not valid form-encoding at the token endpoint', async () => {
    const secret = 'p%zz+100%'
    const { verifier } = await withImported(secret)
    expect((await respond(verifier, tokenRequest({ authorization: basic(stormpath.id, secret) }))).status).toBe(200)
  })

  it('refuses a look-alike of a Latchkey secret before any store read', async () => {
    const { store, verifier, key } = await setUp()
    let reads = 0
    const findApiKey = store.findApiKey.bind(store)
    store.findApiKey = (id) => {
      reads++
      return findApiKey(id)
    }
    const typo = key.secret.slice(0, 20) + (key.secret.charAt(20) === 'a' ? 'b' : 'a') + key.secret.slice(21)
    const result = await verifier.authenticate({ authorization: [basic(key.id, typo)] })
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_CREDENTIALS', reason: 'malformed_key' } })
    expect(reads).toBe(0)
    expect((await verifier.authenticate({ authorization: [basic(key.id, key.secret)] })).ok).toBe(true)
    expect(reads).toBeGreaterThan(0)
  })
})
