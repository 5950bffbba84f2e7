import { describe, expect, it } from 'vitest'
import { respond } from '../../test/respond.js'
import type { AuthEvent } from '../audit/events.js'
import { createVerifier, type KeyStore, type Verifier } from '../index.js'
import { createKeyManager } from '../manage/key-manager.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'

const issuer = 'https://api.example.test'

function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${id}:${secret}`)}`
}

async function setUp(options: { store?: KeyStore; now?: () => number } = {}) {
  const store = options.store ?? new MemoryKeyStore()
  const manager = createKeyManager(store)
  const events: AuthEvent[] = []
  const verifier = createVerifier({
    store,
    issuer,
    onEvent: (event) => events.push(event),
    ...(options.now ? { now: options.now } : {}),
  })
  const account = await manager.createAccount({ name: 'Acme' })
  const [key, other] = await Promise.all([
    manager.createApiKey({ accountId: account.id, scopes: ['read'] }),
    manager.createApiKey({ accountId: account.id, scopes: ['read'] }),
  ])
  return { store, manager, verifier, events, key, other }
}

async function issue(verifier: Verifier, key: { id: string; secret: string }): Promise<string> {
  const response = await respond(
    verifier,
    form('/oauth/token', 'grant_type=client_credentials', basic(key.id, key.secret)),
  )
  return ((await response.json()) as { access_token: string }).access_token
}

function form(path: string, body: string, authorization?: string, method = 'POST'): Request {
  return new Request(`${issuer}${path}`, {
    method,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization === undefined ? {} : { authorization }),
    },
    ...(method === 'POST' ? { body } : {}),
  })
}

function revoke(verifier: Verifier, body: string, authorization?: string, path = '/oauth/revoke') {
  return respond(verifier, form(path, body, authorization))
}

const bearer = (token: string) => ({ authorization: [`Bearer ${token}`] })

describe('Token revocation (RFC 7009) on the verifier', () => {
  it('revokes a token of the client itself: 200 with an empty JSON object, then the token is refused, the key and its other tokens are not', async () => {
    const { verifier, key, events } = await setUp()
    const [revoked, kept] = await Promise.all([issue(verifier, key), issue(verifier, key)])
    expect((await verifier.authenticate(bearer(revoked))).ok).toBe(true)

    const response = await revoke(verifier, `token=${revoked}&token_type_hint=access_token`, basic(key.id, key.secret))
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.text()).toBe('{}')

    const refused = await verifier.authenticate(bearer(revoked))
    expect(refused.ok ? undefined : [refused.error.code, refused.error.reason]).toEqual([
      'ERR_INVALID_TOKEN',
      'token_revoked',
    ])
    // The answer from memory never vouches for it either: it defers to the full check, which refuses.
    const now = await verifier.authenticateNow(bearer(revoked))
    expect(now.ok).toBe(false)
    expect((await verifier.authenticate(bearer(kept))).ok).toBe(true)
    expect((await verifier.authenticate({ authorization: [basic(key.id, key.secret)] })).ok).toBe(true)
    expect(events.filter((event) => event.type === 'revocation')).toMatchObject([
      { type: 'revocation', outcome: 'success', method: 'basic', keyId: key.id },
    ])
  })

  it('accepts client_secret_post, and ignores an unknown token_type_hint', async () => {
    const { verifier, key } = await setUp()
    const issued = await issue(verifier, key)
    const body = new URLSearchParams({
      token: issued,
      token_type_hint: 'refresh_token',
      client_id: key.id,
      client_secret: key.secret,
    })
    expect((await revoke(verifier, body.toString())).status).toBe(200)
    expect((await verifier.authenticate(bearer(issued))).ok).toBe(false)
  })

  it("leaves another client's token alone, answering exactly as for a token that is none", async () => {
    const { verifier, key, other } = await setUp()
    const issued = await issue(verifier, key)
    const [head, payload, signature = ''] = issued.split('.')
    const forged = `${head}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
    const answers = await Promise.all(
      [issued, forged, 'not-a-token', 'a.b.c'].map(async (token) => {
        const response = await revoke(verifier, `token=${encodeURIComponent(token)}`, basic(other.id, other.secret))
        return { status: response.status, headers: [...response.headers], body: await response.text() }
      }),
    )
    for (const answer of answers) expect(answer, JSON.stringify(answers)).toEqual(answers[0])
    expect(answers[0]?.status).toBe(200)
    expect((await verifier.authenticate(bearer(issued))).ok).toBe(true)
  })

  it('remembers a revocation until the token expires, and forgets it then', async () => {
    let clock = Date.UTC(2026, 11, 1)
    const store = new MemoryKeyStore()
    const { verifier, key } = await setUp({ store, now: () => clock })
    const issued = await issue(verifier, key)
    await revoke(verifier, `token=${issued}`, basic(key.id, key.secret))
    expect(store.findApiKey(key.id)?.revokedTokens?.size).toBe(1)
    // An hour (the token's lifetime) and the clock tolerance later, the next revocation forgets it.
    clock += 3600_000 + 5000
    const later = await issue(verifier, key)
    await revoke(verifier, `token=${later}`, basic(key.id, key.secret))
    expect([...(store.findApiKey(key.id)?.revokedTokens ?? [])]).toHaveLength(1)
    expect((await verifier.authenticate(bearer(issued))).ok).toBe(false)
  })

  it('refuses a request without client credentials, or with a wrong secret, with 401 invalid_client and a Basic challenge', async () => {
    const { verifier, key } = await setUp()
    const issued = await issue(verifier, key)
    for (const authorization of [undefined, basic(key.id, 'wrong'), `Bearer ${issued}`]) {
      const response = await revoke(verifier, `token=${issued}`, authorization)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="api", charset="UTF-8"')
      expect(((await response.json()) as { error: string }).error).toBe('invalid_client')
    }
    expect((await verifier.authenticate(bearer(issued))).ok).toBe(true)
  })

  it('refuses a missing token, parameters in the URL, a JSON body and another method', async () => {
    const { verifier, key } = await setUp()
    const authorization = basic(key.id, key.secret)
    const missing = await revoke(verifier, 'token_type_hint=access_token', authorization)
    expect([missing.status, ((await missing.json()) as { error: string }).error]).toEqual([400, 'invalid_request'])
    const inQuery = await revoke(verifier, '', authorization, '/oauth/revoke?token=abc')
    expect(inQuery.status).toBe(400)
    const json = await respond(
      verifier,
      new Request(`${issuer}/oauth/revoke`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: '{"token":"abc"}',
      }),
    )
    expect(json.status).toBe(400)
    const get = await respond(verifier, form('/oauth/revoke', '', authorization, 'GET'))
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST'])
  })

  it('answers 400 unsupported_token_type when the store cannot remember revoked tokens', async () => {
    const store = new MemoryKeyStore()
    Object.defineProperty(store, 'revokeAccessToken', { value: undefined })
    const { verifier, key } = await setUp({ store })
    const issued = await issue(verifier, key)
    const response = await revoke(verifier, `token=${issued}`, basic(key.id, key.secret))
    expect([response.status, ((await response.json()) as { error: string }).error]).toEqual([
      400,
      'unsupported_token_type',
    ])
    expect((await verifier.authenticate(bearer(issued))).ok).toBe(true)
  })

  it('fails closed with 503 and Retry-After when the store fails to record the revocation', async () => {
    const store = new MemoryKeyStore()
    store.revokeAccessToken = () => {
      throw new Error('connection lost')
    }
    const { verifier, key, events } = await setUp({ store })
    const issued = await issue(verifier, key)
    const response = await revoke(verifier, `token=${issued}`, basic(key.id, key.secret))
    expect([response.status, response.headers.get('retry-after')]).toEqual([503, '1'])
    expect(await response.text()).not.toContain('connection lost')
    expect(events.at(-1)).toMatchObject({ type: 'revocation', outcome: 'error', code: 'ERR_STORE_UNAVAILABLE' })
  })

  it('publishes the revocation endpoint in the metadata, and an introspection endpoint when configured', async () => {
    const { verifier } = await setUp()
    expect(verifier.paths.revocation).toBe('/oauth/revoke')
    expect(verifier.metadata()).toMatchObject({
      revocation_endpoint: `${issuer}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    })
    expect(verifier.metadata()).not.toHaveProperty('introspection_endpoint')
    const store = new MemoryKeyStore()
    const introspecting = createVerifier({
      store,
      issuer,
      revocationPath: '/revoke',
      introspectionEndpoint: 'https://gateway.example.test/oauth/introspect',
    })
    expect(introspecting.metadata()).toMatchObject({
      revocation_endpoint: `${issuer}/revoke`,
      introspection_endpoint: 'https://gateway.example.test/oauth/introspect',
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    })
    expect(() => createVerifier({ store, issuer, introspectionEndpoint: '/oauth/introspect' })).toThrow(
      'introspectionEndpoint must be an absolute http or https URL.',
    )
  })
})

describe('Verifier.authenticateClient', () => {
  it('authenticates a client as the token endpoint does, and refuses what it refuses', async () => {
    const { verifier, key, other } = await setUp()
    const authenticateClient = verifier.authenticateClient?.bind(verifier)
    if (!authenticateClient) throw new Error('createVerifier makes verifiers with authenticateClient')
    const outcome = async (authorization: string[], entries: Record<string, string> = {}) => {
      const result = await authenticateClient({ authorization, form: new Map(Object.entries(entries)) })
      return result.ok ? result.principal.keyId : result.error.code
    }
    expect(await outcome([basic(key.id, key.secret)])).toBe(key.id)
    expect(await outcome([], { client_id: key.id, client_secret: key.secret })).toBe(key.id)
    expect(await outcome([basic(key.id, key.secret)], { client_id: key.id })).toBe(key.id)
    expect(await outcome([basic(key.id, key.secret)], { client_id: other.id })).toBe('ERR_INVALID_REQUEST')
    expect(await outcome([basic(key.id, key.secret)], { client_secret: key.secret })).toBe('ERR_INVALID_REQUEST')
    expect(await outcome([basic(key.id, key.secret), basic(key.id, key.secret)])).toBe('ERR_INVALID_REQUEST')
    expect(await outcome([basic(key.id, 'wrong')])).toBe('ERR_INVALID_CREDENTIALS')
    expect(await outcome(['Bearer abc'])).toBe('ERR_CREDENTIALS_MISSING')
    expect(await outcome([])).toBe('ERR_CREDENTIALS_MISSING')
  })
})
