import type { ApiKeyCredential, KeyStore, Verifier } from '@latchkey/verifier'
import { createVerifier, MAX_FORM_BODY_BYTES, MemoryKeyStore } from '@latchkey/verifier'
import { createKeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, ISSUER, startGateway, type TestKey } from './gateway.js'
import { wrongSecret } from './wrong-secret.js'

// POST /oauth/introspect (RFC 7662) over real loopback HTTP: a resource server that cannot verify
// JWTs asks the gateway, with its own API key, whether a token is active.

/** A store that fails to read the keys in `failing`, as a database that went away. */
class FlakyStore extends MemoryKeyStore {
  readonly failing = new Set<string>()

  override findApiKey(id: string): ApiKeyCredential | undefined {
    if (this.failing.has(id)) throw new Error('connection refused')
    return super.findApiKey(id)
  }
}

/** Added to the verifier's clock, in ms, to let tokens expire without waiting. */
let skew = 0
const store = new FlakyStore()
const gateway = startGateway([], store, { now: () => Date.now() + skew })
const manager = createKeyManager(store)

type Credentials = Pick<TestKey, 'id' | 'secret'>
const form = 'application/x-www-form-urlencoded'
const inactive = '{"active":false}'
const inactiveAnswer = ['200', 'application/json', 'no-store', '', inactive].join('\n')

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${gateway.url()}${path}`, { method: 'POST', headers: { 'content-type': form, ...headers }, body })
const introspect = (body: string, headers: Record<string, string> = {}, path = '/oauth/introspect') =>
  post(path, body, { accept: 'application/json', ...headers })
const token = (key: Credentials, scope?: string) =>
  post('/oauth/token', `grant_type=client_credentials${scope ? `&scope=${scope}` : ''}`, { authorization: basic(key) })
async function accessToken(key: Credentials, scope?: string): Promise<string> {
  const response = await token(key, scope)
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}
/** A token from `verifier`'s own token endpoint, without a listener. */
async function tokenFrom(verifier: Verifier, key: Credentials): Promise<string> {
  const init = { method: 'POST', headers: { authorization: basic(key), 'content-type': form } }
  const request = new Request('http://localhost/oauth/token', { ...init, body: 'grant_type=client_credentials' })
  return JSON.parse((await verifier.answer(request))?.body ?? '{}').access_token
}
/** `token` with another `jti`, its signature kept: what a forger who altered a token sends. */
function forged(token: string, jti: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), jti }
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
}
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
const compared = ['content-type', 'cache-control', 'www-authenticate']
/** Status, the headers that matter, and body, a line each: what "the same answer" compares. */
const shown = async (response: Response) =>
  [response.status, ...compared.map((name) => response.headers.get(name)), await response.text()].join('\n')

let resourceServer: TestKey
let client: TestKey
let bystander: TestKey
const others: Verifier[] = []
/** Another verifier, closed after the tests: another instance, or another issuer's server. */
function verifierOn(keys: KeyStore, issuer: string): Verifier {
  const verifier = createVerifier({ store: keys, issuer })
  others.push(verifier)
  return verifier
}

beforeAll(async () => {
  resourceServer = await gateway.createKey(['latchkey:introspect'], 'orders service')
  client = await gateway.createKey(['read', 'write'])
  bystander = await gateway.createKey(['read'])
})
afterAll(() => Promise.all(others.map((verifier) => verifier.close?.())))

const asResourceServer = () => ({ authorization: basic(resourceServer) })
/** The answer's body for `token`, asked by the resource server. */
const stateOf = async (token: string) => (await introspect(`token=${token}`, asResourceServer())).text()

describe('RFC 7662 §2.1 requests and §2.2 answers', () => {
  it('describes an active token with the §2.2 members, from its verified claims', async () => {
    const issued = await accessToken(client, 'read write')
    // §2.1's example request: Basic client authentication, the token and a hint in the form body.
    const response = await introspect(`token=${issued}&token_type_hint=access_token`, asResourceServer())
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const { exp, iat, jti } = claimsOf(issued)
    expect(await response.json()).toEqual({
      active: true,
      scope: 'read write',
      client_id: client.id,
      sub: client.id,
      aud: ISSUER,
      iss: ISSUER,
      exp,
      iat,
      jti,
      token_type: 'Bearer',
    })
    expect(exp - iat).toBe(3600)
  })

  it("answers §2.1's example token, none of its own, with exactly §2.2's inactive answer", async () => {
    const response = await introspect('token=mF_9.B5f-4.1JqM&token_type_hint=access_token', asResourceServer())
    expect(await shown(response)).toBe(inactiveAnswer)
  })

  it('takes the client credentials in the form body too (RFC 6749 §2.3.1), and ignores token_type_hint', async () => {
    const issued = await accessToken(client, 'read')
    const credentials = `client_id=${resourceServer.id}&client_secret=${resourceServer.secret}`
    const response = await introspect(`${credentials}&token=${issued}&token_type_hint=refresh_token`)
    expect(await response.json()).toMatchObject({ active: true, scope: 'read', client_id: client.id })
  })
})

describe('tokens it would not accept', () => {
  it('answers each {"active":false}, the same bytes: malformed, altered, foreign, another issuer’s…', async () => {
    const issued = await accessToken(client)
    const foreignStore = new MemoryKeyStore()
    const foreignManager = createKeyManager(foreignStore)
    const account = await foreignManager.createAccount({ name: 'Elsewhere' })
    const foreignKey = await foreignManager.createApiKey({ accountId: account.id, scopes: ['read'] })
    // The same issuer and audience, signed by a key this gateway does not hold.
    const foreignToken = await tokenFrom(verifierOn(foreignStore, ISSUER), foreignKey)
    // Another issuer's, signed by this gateway's own keys (the same store).
    const otherToken = await tokenFrom(verifierOn(store, 'https://other.test'), client)
    expect([claimsOf(foreignToken).iss, claimsOf(otherToken).iss]).toEqual([ISSUER, 'https://other.test'])
    const malformed = ['not-a-token', 'a.b.c', `${issued}x`, 'x'.repeat(5000)]
    const signedElsewhere = [forged(issued, 'altered'), foreignToken, otherToken]
    // An API key secret and Basic credentials as the token; the token inside something else is not the token.
    const notTokens = [client.secret, basic(client), ` ${issued}`, `Bearer ${issued}`]
    const candidates = [...malformed, ...signedElsewhere, ...notTokens]
    const answers = new Set<string>()
    for (const candidate of candidates) {
      answers.add(await shown(await introspect(`token=${encodeURIComponent(candidate)}`, asResourceServer())))
    }
    expect([...answers]).toEqual([inactiveAnswer])
  })

  it("answers a revoked key's token inactive at once", async () => {
    const doomed = await gateway.createKey(['read'])
    const issued = await accessToken(doomed)
    expect(JSON.parse(await stateOf(issued))).toMatchObject({ active: true })
    await gateway.revoke(doomed.id)
    expect(await stateOf(issued)).toBe(inactive)
  })

  it('answers an expired token inactive', async () => {
    const issued = await accessToken(client)
    expect(JSON.parse(await stateOf(issued))).toMatchObject({ active: true })
    skew = 3600_000 + 10_000
    try {
      expect(await stateOf(issued)).toBe(inactive)
    } finally {
      skew = 0
    }
  })

  it('shows a narrowed key’s tokens with the scopes the key still has', async () => {
    const narrowed = await gateway.createKey(['read', 'write', 'admin'])
    const issued = await accessToken(narrowed, 'read write')
    expect(JSON.parse(await stateOf(issued))).toMatchObject({ scope: 'read write' })
    await manager.updateApiKey(narrowed.id, { scopes: ['read', 'admin'] })
    expect(JSON.parse(await stateOf(issued))).toMatchObject({ active: true, scope: 'read', client_id: narrowed.id })
    // No scope left: still active, with no scope member (RFC 6749 §3.3 has no empty scope).
    await manager.updateApiKey(narrowed.id, { scopes: ['admin'] })
    const bare = JSON.parse(await stateOf(issued))
    expect(bare).toMatchObject({ active: true, client_id: narrowed.id })
    expect(bare).not.toHaveProperty('scope')
  })

  it("answers the verifier's 503 when the store fails, rather than call a token it cannot check inactive", async () => {
    const key = await gateway.createKey(['read'])
    // Issued by another instance on the same store: this gateway has not read the key yet.
    const issued = await tokenFrom(verifierOn(store, ISSUER), key)
    store.failing.add(key.id)
    const response = await introspect(`token=${issued}`, asResourceServer())
    store.failing.delete(key.id)
    expect([response.status, response.headers.get('retry-after')]).toEqual([503, '1'])
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' })
    expect(JSON.parse(await stateOf(issued))).toMatchObject({ active: true })
  })
})

describe('refusals', () => {
  it('answers another method with 405 and Allow: POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await fetch(`${gateway.url()}/oauth/introspect`, { method, headers: asResourceServer() })
      expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST'])
      expect(await response.json()).toMatchObject({ error: 'invalid_request' })
    }
  })

  it("answers no client credentials with 401 and the verifier's Basic challenge; a Bearer token is none", async () => {
    const issued = await accessToken(client)
    const none = await shown(await introspect(`token=${issued}`))
    expect(none).toMatch(/^401\napplication\/json\nno-store\nBasic realm="api", charset="UTF-8"\n/)
    expect(JSON.parse(none.split('\n')[4] ?? '')).toMatchObject({ error: 'invalid_client' })
    expect(await shown(await introspect(`token=${issued}`, { authorization: `Bearer ${issued}` }))).toBe(none)
    expect(await shown(await introspect(`client_id=${resourceServer.id}&token=${issued}`))).toBe(none)
  })

  it("refuses wrong credentials with the token endpoint's 401, byte for byte", async () => {
    const issued = await accessToken(client)
    const wrong = { id: resourceServer.id, secret: wrongSecret(resourceServer.secret) }
    const atTokenEndpoint = await shown(await token(wrong))
    expect(atTokenEndpoint).toMatch(/^401\n/)
    const unknown = { id: 'lk_unknownunknownunknown00', secret: resourceServer.secret }
    for (const answer of [
      await introspect(`token=${issued}`, { authorization: basic(wrong) }),
      await introspect(`client_id=${wrong.id}&client_secret=${wrong.secret}&token=${issued}`),
      await introspect(`token=${issued}`, { authorization: basic(unknown) }),
    ]) {
      expect(await shown(answer)).toBe(atTokenEndpoint)
    }
  })

  it('refuses a valid key without latchkey:introspect with 403 insufficient_scope', async () => {
    const issued = await accessToken(client)
    const response = await introspect(`token=${issued}`, { authorization: basic(bystander) })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="latchkey:introspect"/)
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope', scope: 'latchkey:introspect' })
    // Its own token does not make it a resource server either.
    expect((await introspect(`token=${issued}`, { authorization: basic(client) })).status).toBe(403)
  })

  it('refuses a malformed request with 400 invalid_request, as the token endpoint does', async () => {
    const issued = await accessToken(client)
    const json = { authorization: basic(client), 'content-type': 'application/json' }
    const asTokenEndpoint = await shown(await post('/oauth/token', '{}', json))
    const tooLarge = await introspect(`token=${issued}&pad=${'x'.repeat(MAX_FORM_BODY_BYTES)}`, asResourceServer())
    // The body was cut off: the connection goes, so what is left unread cannot hold it.
    expect(tooLarge.headers.get('connection')).toBe('close')
    const refusals = [
      tooLarge,
      ...(await Promise.all([
        introspect(JSON.stringify({ token: issued }), { ...asResourceServer(), 'content-type': 'application/json' }),
        introspect('', asResourceServer()),
        introspect('token=', asResourceServer()),
        introspect(`token=${issued}&token=${issued}`, asResourceServer()),
        introspect(`token=${issued}&${Array.from({ length: 32 }, (_, n) => `p${n}=1`).join('&')}`, asResourceServer()),
        introspect(`token=${issued}`, asResourceServer(), `/oauth/introspect?token=${issued}`),
        introspect(`client_secret=${resourceServer.secret}&token=${issued}`, asResourceServer()),
        introspect(`client_id=${client.id}&token=${issued}`, asResourceServer()),
      ])),
    ]
    for (const response of refusals) {
      const answer = await shown(response)
      // Only the description differs: it says what to fix.
      expect(answer.split('\n').slice(0, 4)).toEqual(asTokenEndpoint.split('\n').slice(0, 4))
      expect(JSON.parse(answer.split('\n')[4] ?? '')).toMatchObject({ error: 'invalid_request' })
    }
  })

  it('answers a client_id no key can have exactly as the token endpoint does: 401 invalid_client', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const body = `client_id=a:b&client_secret=${resourceServer.secret}`
    const asTokenEndpoint = await shown(await post('/oauth/token', `${body}&grant_type=client_credentials`, form))
    const answer = await shown(await introspect(`${body}&token=x.y.z`))
    expect(answer).toBe(asTokenEndpoint)
    expect(answer.split('\n')[0]).toBe('401')
  })
})

describe('throttling', () => {
  it('never throttles the resource server that relays 100 forged tokens, nor the key they name', async () => {
    const victim = await gateway.createKey(['read'])
    const genuine = await accessToken(victim)
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await introspect(`token=${forged(genuine, `forged-${attempt}`)}`, asResourceServer())
      expect([response.status, await response.text()]).toEqual([200, inactive])
    }
    const response = await introspect(`token=${genuine}`, asResourceServer())
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ active: true, client_id: victim.id })
    expect((await token(victim)).status).toBe(200)
  })

  it('while forgeries like them, sent as Bearer credentials from one address, get that address throttled', async () => {
    // The control: the verifier counts such forgeries, so the test above means something.
    const genuine = await accessToken(bystander)
    const proxied = { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/', 'x-forwarded-for': '198.51.100.9' }
    const decide = (authorization: string) =>
      fetch(`${gateway.url()}/auth/traefik`, { headers: { authorization, ...proxied } })
    for (let attempt = 0; attempt < 100; attempt++) {
      expect((await decide(`Bearer ${forged(genuine, `control-${attempt}`)}`)).status).toBe(401)
    }
    expect((await decide(`Bearer ${forged(genuine, 'control-100')}`)).status).toBe(429)
  })

  it("still throttles the caller's own wrong secrets by its address", async () => {
    const wrong = basic({ id: resourceServer.id, secret: wrongSecret(resourceServer.secret) })
    const statuses: number[] = []
    const from = { authorization: wrong, 'x-forwarded-for': '203.0.113.50' }
    for (let attempt = 0; attempt < 12; attempt++) statuses.push((await introspect('token=a.b.c', from)).status)
    expect([statuses.slice(0, 10), statuses.at(-1)]).toEqual([Array(10).fill(401), 429])
    // The resource server's correct secret from another address is not blocked.
    const elsewhere = await introspect('token=a.b.c', { ...asResourceServer(), 'x-forwarded-for': '203.0.113.51' })
    expect(elsewhere.status).toBe(200)
  })
})
