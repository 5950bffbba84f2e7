import { decodeProtectedHeader } from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'
import { expectAnswer, handle, respond } from '../test/respond.js'
import { wrongSecret } from '../test/wrong-secret.js'
import type { AuthEvent } from './audit/events.js'
import { type AuthenticationResult, createVerifier, type Verifier } from './index.js'
import { createKeyManager } from './manage/key-manager.js'
import { MemoryKeyStore } from './store/memory-key-store.js'

const issuer = 'https://api.example.test'

async function setUp(options: { now?: () => number } = {}) {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const events: AuthEvent[] = []
  const verifier = createVerifier({ store, issuer, onEvent: (event) => events.push(event), ...options })
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
  return { store, manager, verifier, events, account, key }
}

function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${id}:${secret}`)}`
}

async function token(verifier: Verifier, id: string, secret: string, body = 'grant_type=client_credentials') {
  const response = await respond(
    verifier,
    new Request(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }),
  )
  return { response, body: (await response.json()) as Record<string, unknown> }
}

function principalOf(result: AuthenticationResult) {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}`)
  return result.principal
}

describe('createVerifier on Web Request and Response', () => {
  let context: Awaited<ReturnType<typeof setUp>>
  beforeEach(async () => {
    context = await setUp()
  })

  it('authenticates Basic credentials to a principal with the key scopes', async () => {
    const { verifier, key, account } = context
    const request = new Request(`${issuer}/api`, { headers: { authorization: basic(key.id, key.secret) } })
    expect(principalOf(await verifier.authenticate(request))).toEqual({
      keyId: key.id,
      accountId: account.id,
      scopes: ['read', 'write'],
      method: 'basic',
      keyName: null,
      metadata: {},
    })
  })

  it('issues an EdDSA at+jwt token that authenticates as Bearer with the granted scope only', async () => {
    const { verifier, key } = context
    const { response, body } = await token(verifier, key.id, key.secret, 'grant_type=client_credentials&scope=read')
    expect(response.status).toBe(200)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read' })
    const accessToken = String(body.access_token)
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' })
    const principal = principalOf(await verifier.authenticate({ authorization: [`Bearer ${accessToken}`] }))
    expect(principal).toMatchObject({ keyId: key.id, scopes: ['read'], method: 'bearer' })
    expect(verifier.checkScopes(principal, ['write'])?.code).toBe('ERR_INSUFFICIENT_SCOPE')
    expect(verifier.checkScopes(principal, ['read'])).toBeUndefined()
  })

  it('checks revocation on every Bearer request, even for a token it has already verified', async () => {
    const { verifier, key, manager } = context
    const accessToken = String((await token(verifier, key.id, key.secret)).body.access_token)
    const bearer = { authorization: [`Bearer ${accessToken}`] }
    expect((await verifier.authenticate(bearer)).ok).toBe(true)
    await manager.revokeApiKey(key.id)
    const result = await verifier.authenticate(bearer)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error).toMatchObject({ code: 'ERR_INVALID_TOKEN', reason: 'key_revoked' })
  })

  it('rejects a token once expired beyond the clock tolerance, even from its cache', async () => {
    let now = Date.UTC(2026, 0, 1)
    const { verifier, key } = await setUp({ now: () => now })
    const accessToken = String((await token(verifier, key.id, key.secret)).body.access_token)
    const bearer = { authorization: [`Bearer ${accessToken}`] }
    expect((await verifier.authenticate(bearer)).ok).toBe(true)
    now += 3600_000 + 4_000
    expect((await verifier.authenticate(bearer)).ok).toBe(true)
    now += 2_000
    const result = await verifier.authenticate(bearer)
    expect(!result.ok && result.error.reason).toBe('token_expired')
  })

  it('answers every refused credential with the same bytes and tells the reason only to the audit hook', async () => {
    const { verifier, key, manager, account, events } = context
    const other = await manager.createApiKey({ accountId: account.id })
    await manager.disableApiKey(other.id)
    const attempts = [
      basic(key.id, wrongSecret(key.secret)),
      basic('lk_unknownunknownunknown00', key.secret),
      basic(other.id, other.secret),
    ]
    const answers = []
    for (const authorization of attempts) {
      const result = await verifier.authenticate({ authorization: [authorization] })
      if (result.ok) throw new Error('expected a refusal')
      const { status, headers, body } = verifier.answerError(result.error)
      answers.push(JSON.stringify({ status, headers, body }))
    }
    expect(new Set(answers).size).toBe(1)
    expect(JSON.parse(answers[0] ?? '')).toMatchObject({
      status: 401,
      headers: { 'WWW-Authenticate': 'Basic realm="api", charset="UTF-8"' },
    })
    expect(events.map((event) => event.reason)).toEqual(['wrong_secret', 'unknown_key', 'key_disabled'])
    expect(JSON.stringify(events)).not.toContain(key.secret)
  })

  it('refuses an access_token in the URL, percent-encoded or not, before looking at credentials', async () => {
    const { verifier, key } = context
    for (const url of ['/api?access_token=x', '/api?a=1&%61ccess%5Ftoken=x']) {
      const result = await verifier.authenticate({ authorization: [basic(key.id, key.secret)], url })
      expect(!result.ok && result.error.code, url).toBe('ERR_INVALID_REQUEST')
    }
    expect((await verifier.authenticate({ authorization: [basic(key.id, key.secret)], url: '/api?x=%20' })).ok).toBe(
      true,
    )
  })

  it('fails closed with 503 when the store throws', async () => {
    const { key, store } = context
    const broken = Object.assign(Object.create(store), {
      findApiKey() {
        throw new Error('connection refused')
      },
    })
    const verifier = createVerifier({ store: broken, issuer })
    const result = await verifier.authenticate({ authorization: [basic(key.id, key.secret)] })
    expect(!result.ok && result.error.code).toBe('ERR_STORE_UNAVAILABLE')
    expect(!result.ok && verifier.answerError(result.error).status).toBe(503)
    expect((await token(verifier, key.id, key.secret)).response.status).toBe(503)
  })

  it('persists its first signing key, so a second verifier on the same store accepts its tokens', async () => {
    const { verifier, key, store } = context
    const accessToken = String((await token(verifier, key.id, key.secret)).body.access_token)
    const restarted = createVerifier({ store, issuer })
    expect((await restarted.authenticate({ authorization: [`Bearer ${accessToken}`] })).ok).toBe(true)
    expect((await store.listSigningKeys()).length).toBe(1)
  })

  it('serves metadata and JWKS at their well-known paths, and nothing else', async () => {
    const { verifier } = context
    const metadata = await handle(verifier, new Request(`${issuer}/.well-known/oauth-authorization-server`))
    expect(await metadata?.json()).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
    })
    const jwks = (await (await handle(verifier, new Request(`${issuer}/.well-known/jwks.json`)))?.json()) as {
      keys: Array<Record<string, unknown>>
    }
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
    expect(jwks.keys[0]).not.toHaveProperty('d')
    expect(await handle(verifier, new Request(`${issuer}/api`))).toBeUndefined()
  })

  it('places the metadata after the well-known prefix for an issuer with a path (RFC 8414 §3.1)', () => {
    const verifier = createVerifier({ store: new MemoryKeyStore(), issuer: 'https://example.test/tenant' })
    expect(verifier.paths.metadata).toBe('/.well-known/oauth-authorization-server/tenant')
  })

  it('refuses settings that would make it unsafe', () => {
    const store = new MemoryKeyStore()
    expect(() => createVerifier({ store, issuer: 'not a url' })).toThrow(/absolute URL/)
    expect(() => createVerifier({ store, issuer, tokenLifetime: 10 })).toThrow(RangeError)
    expect(() => createVerifier({ store, issuer, realm: 'a"b' })).toThrow(/realm/)
  })
})

describe('answerTokenRequest with the parts of a request', () => {
  const form = 'application/x-www-form-urlencoded'

  /** The same request as a Web Request and as the parts a Node adapter passes. */
  function both(init: { method?: string; url?: string; authorization: string[]; contentType?: string; body: string }) {
    const method = init.method ?? 'POST'
    const url = init.url ?? '/oauth/token'
    const headers = new Headers()
    for (const value of init.authorization) headers.append('authorization', value)
    if (init.contentType) headers.set('content-type', init.contentType)
    const request = new Request(new URL(url, issuer), {
      method,
      headers,
      ...(method === 'GET' ? {} : { body: init.body }),
    })
    const parts = {
      method,
      url,
      authorization: init.authorization,
      contentType: init.contentType,
      body: new TextEncoder().encode(init.body),
    }
    return { request, parts }
  }

  it('answers the parts exactly as it answers the Web Request, granted or refused', async () => {
    const { verifier, key } = await setUp()
    const good = basic(key.id, key.secret)
    const cases = [
      { authorization: [good], contentType: form, body: 'grant_type=client_credentials&scope=read' },
      { authorization: [good, good], contentType: form, body: 'grant_type=client_credentials' },
      { authorization: [`${good}, ${good}`], contentType: form, body: 'grant_type=client_credentials' },
      { authorization: [good], contentType: form, body: 'grant_type=client_credentials', url: '/oauth/token?x=1' },
      { authorization: [good], contentType: 'application/json', body: '{}' },
      { authorization: [good], contentType: form, body: `grant_type=client_credentials&pad=${'x'.repeat(9000)}` },
      { authorization: [good], contentType: form, body: 'grant_type=client_credentials&grant_type=password' },
      { authorization: [basic(key.id, `${key.secret}x`)], contentType: form, body: 'grant_type=client_credentials' },
      { authorization: [good], method: 'GET', body: '' },
    ]
    for (const init of cases) {
      const { request, parts } = both(init)
      const viaRequest = await respond(verifier, request)
      const answer = expectAnswer(await verifier.answer(parts))
      expect(answer.status, JSON.stringify(init).slice(0, 120)).toBe(viaRequest.status)
      expect(Object.fromEntries(new Headers(answer.headers))).toEqual(Object.fromEntries(viaRequest.headers))
      const body = JSON.parse(answer.body) as Record<string, unknown>
      const expected = (await viaRequest.json()) as Record<string, unknown>
      // Tokens differ (jti, maybe iat): the rest of a grant must not.
      if (answer.status === 200) {
        expect(typeof body.access_token).toBe('string')
        delete body.access_token
        delete expected.access_token
      }
      expect(body).toEqual(expected)
    }
  })

  it('reads a body a parser decoded to text, and refuses it when too large', async () => {
    const { verifier, key } = await setUp()
    const parts = {
      method: 'POST',
      url: '/oauth/token',
      authorization: [basic(key.id, key.secret)],
      contentType: form,
      body: 'grant_type=client_credentials',
    }
    expect(expectAnswer(await verifier.answer(parts)).status).toBe(200)
    const large = expectAnswer(await verifier.answer({ ...parts, body: `${parts.body}&pad=${'é'.repeat(4100)}` }))
    expect(large.status).toBe(400)
    expect(large.body).toContain('too large')
  })
})
