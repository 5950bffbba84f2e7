import { beforeAll, describe, expect, it } from 'vitest'
import { readEcho } from './backend.js'
import { basicAuthorization, type CliKey } from './cli-key-store.js'
import { damageKeyStore } from './damage-key-store.js'
import type { ProxiedGateway } from './proxied-gateway.js'
import type { RawAnswer } from './raw-request.js'
import { wrongSecret } from './wrong-secret.js'

// The acceptance of the gateway issue, proved through a real proxy: what a client gets back, and what
// the Python backend behind the proxy receives. nginx.test.ts and caddy.test.ts run it, each with its
// proxy, as the store packages run the store conformance suite.

/** The embedded verifier's challenge to a request without credentials: both schemes, one header line. */
const CHALLENGE = 'Basic realm="api", charset="UTF-8", Bearer realm="api"'

/** Its challenge to Basic credentials it refused: the scheme they came in. */
export const BASIC_CHALLENGE = 'Basic realm="api", charset="UTF-8"'

const IDENTITY = [
  'x-latchkey-key-id',
  'x-latchkey-account-id',
  'x-latchkey-scopes',
  'x-latchkey-key-name',
  'x-latchkey-metadata',
  'x-latchkey-auth-method',
]

/** Every identity header, as a client trying to pass for someone else would send them. */
const FORGED = {
  'X-Latchkey-Key-Id': 'lk_forgedforgedforged0000',
  'X-Latchkey-Account-Id': 'acct_forgedforged00000',
  'X-Latchkey-Scopes': 'admin',
  'X-Latchkey-Key-Name': 'forged',
  'X-Latchkey-Metadata': Buffer.from('{"plan":"forged"}').toString('base64url'),
  'X-Latchkey-Auth-Method': 'basic',
}

/** A refusal the gateway wrote: its JSON body, and no X-Latchkey-* header left for the client to see. */
function refusalBody(answer: RawAnswer): Record<string, unknown> {
  expect(answer.names.filter((name) => name.startsWith('x-latchkey-'))).toEqual([])
  expect(answer.header('content-type')).toBe('application/json')
  return JSON.parse(answer.body) as Record<string, unknown>
}

/** The keys the suite uses, made with the CLI before its tests. */
interface SuiteKeys {
  /** Scope `read`, named "Büro key". */
  reader: CliKey
  /** Scopes `read write`, no name. */
  writer: CliKey
  /** Revoked by a test. */
  victim: CliKey
  /** Guessed at by a test. */
  target: CliKey
  /** Rate-limited to 3 requests a minute. */
  limited: CliKey
}

/** Registers the acceptance tests for the proxy in front of `proxied`, with five keys made by the CLI first. */
export function describeForwardAuth(proxied: ProxiedGateway): void {
  const keys = {} as SuiteKeys
  beforeAll(async () => {
    const create = (scopes: string[], name?: string) =>
      proxied.store.createKey(proxied.accountId, scopes, name === undefined ? {} : { name })
    const [reader, writer, victim, target, limited] = await Promise.all([
      create(['read'], 'Büro key'),
      create(['read', 'write']),
      create(['read']),
      create(['read']),
      proxied.store.createKey(proxied.accountId, ['read'], { rateLimits: ['3/1m'] }),
    ])
    Object.assign(keys, { reader, writer, victim, target, limited })
  })
  const basic = (key: CliKey) => basicAuthorization(key.id, key.secret)

  describe('credentials', () => {
    it('answers no credentials with 401, both challenges in one WWW-Authenticate line, and the JSON body', async () => {
      const answer = await proxied.send({ path: '/api/things' })
      expect(answer.status).toBe(401)
      expect(answer.lines('www-authenticate')).toEqual([CHALLENGE])
      expect(refusalBody(answer)).toMatchObject({ error: 'unauthorized' })
    })

    it('lets Basic credentials through with the identity headers, and never the Authorization header', async () => {
      const answer = await proxied.send({ path: '/api/things?page=2', headers: { authorization: basic(keys.reader) } })
      const seen = readEcho(answer)
      expect(seen?.path).toBe('/api/things?page=2')
      expect(seen?.values('authorization')).toEqual([])
      expect(seen?.values('x-latchkey-key-id')).toEqual([keys.reader.id])
      expect(seen?.values('x-latchkey-account-id')).toEqual([proxied.accountId])
      expect(seen?.values('x-latchkey-scopes')).toEqual(['read'])
      expect(seen?.values('x-latchkey-key-name').map(decodeURIComponent)).toEqual(['Büro key'])
      const metadata = seen?.values('x-latchkey-metadata').map((value) => Buffer.from(value, 'base64url').toString())
      expect(metadata?.map((json) => JSON.parse(json))).toEqual([{ plan: 'pro' }])
      expect(seen?.values('x-latchkey-auth-method')).toEqual(['basic'])
    })

    it('accepts a Bearer token from POST /oauth/token, asked through the proxy', async () => {
      const metadata = await proxied.send({ path: '/.well-known/oauth-authorization-server' })
      expect(JSON.parse(metadata.body)).toMatchObject({ token_endpoint: `${proxied.url}/oauth/token` })
      const token = await proxied.send({
        method: 'POST',
        path: '/oauth/token',
        headers: { authorization: basic(keys.writer), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=write',
      })
      expect(token.status).toBe(200)
      const { access_token: accessToken } = JSON.parse(token.body) as { access_token: string }
      const answer = await proxied.send({
        method: 'POST',
        path: '/api/things',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: '{"name":"thing"}',
      })
      const seen = readEcho(answer)
      // The body reaches the backend whole: the decision request never consumed it.
      expect([seen?.method, seen?.body]).toEqual(['POST', '{"name":"thing"}'])
      expect(seen?.values('authorization')).toEqual([])
      expect(seen?.values('x-latchkey-key-id')).toEqual([keys.writer.id])
      expect(seen?.values('x-latchkey-scopes')).toEqual(['write'])
      expect(seen?.values('x-latchkey-auth-method')).toEqual(['bearer'])
    })

    it('refuses a token its client revoked at POST /oauth/revoke (RFC 7009), asked through the proxy', async () => {
      const form = { authorization: basic(keys.reader), 'content-type': 'application/x-www-form-urlencoded' }
      const issued = await proxied.send({
        method: 'POST',
        path: '/oauth/token',
        headers: form,
        body: 'grant_type=client_credentials',
      })
      const { access_token: accessToken } = JSON.parse(issued.body) as { access_token: string }
      const request = { path: '/api/things', headers: { authorization: `Bearer ${accessToken}` } }
      expect(readEcho(await proxied.send(request))?.values('x-latchkey-key-id')).toEqual([keys.reader.id])
      const revoked = await proxied.send({
        method: 'POST',
        path: '/oauth/revoke',
        headers: form,
        body: `token=${accessToken}`,
      })
      expect([revoked.status, revoked.body]).toEqual([200, '{}'])
      // The gateway's own write: SQLite counts it from the next request.
      const answer = await proxied.send(request)
      expect(answer.status).toBe(401)
      expect(refusalBody(answer)).toMatchObject({ error: 'invalid_token' })
      expect((await proxied.send({ path: '/api/things', headers: { authorization: basic(keys.reader) } })).status).toBe(
        200,
      )
    })

    it('replaces every identity header a client forged, and removes those the gateway did not send', async () => {
      const answer = await proxied.send({
        path: '/api/things',
        headers: { authorization: basic(keys.writer), ...FORGED },
      })
      const seen = readEcho(answer)
      expect(seen?.values('x-latchkey-key-id')).toEqual([keys.writer.id])
      expect(seen?.values('x-latchkey-account-id')).toEqual([proxied.accountId])
      expect(seen?.values('x-latchkey-scopes')).toEqual(['read write'])
      expect(seen?.values('x-latchkey-metadata')).toEqual([Buffer.from('{"plan":"pro"}').toString('base64url')])
      // The writer has no name: the gateway sends none, so the forged one must not survive either.
      expect(seen?.values('x-latchkey-key-name')).toEqual([])
      // A route that needs no credentials gets no identity at all, forged or not.
      const open = readEcho(await proxied.send({ path: '/public/logo.png', headers: FORGED }))
      expect(open?.path).toBe('/public/logo.png')
      expect(IDENTITY.flatMap((name) => open?.values(name) ?? ['(no echo)'])).toEqual([])
      // Forged identity headers are no credentials.
      expect((await proxied.send({ path: '/api/things', headers: FORGED })).status).toBe(401)
    })

    it('passes the largest metadata a key may hold (4096 bytes of JSON) on to the backend', async () => {
      // {"k":"vvv…"}: 8 bytes of JSON around the value.
      const metadata = { k: 'v'.repeat(4096 - 8) }
      const key = await proxied.store.createKey(proxied.accountId, ['read'], { metadata })
      const seen = readEcho(await proxied.send({ path: '/api/things', headers: { authorization: basic(key) } }))
      const passed = seen?.values('x-latchkey-metadata').map((value) => Buffer.from(value, 'base64url').toString())
      expect(passed?.map((json) => JSON.parse(json))).toEqual([metadata])
    })

    it('refuses a key without the route’s scope with 403 insufficient_scope and the JSON body', async () => {
      const answer = await proxied.send({
        method: 'POST',
        path: '/api/things',
        headers: { authorization: basic(keys.reader) },
      })
      expect(answer.status).toBe(403)
      const [challenge, ...more] = answer.lines('www-authenticate')
      expect(more).toEqual([])
      expect(challenge).toMatch(/^Bearer realm="api", error="insufficient_scope", .*scope="write"$/)
      expect(refusalBody(answer)).toMatchObject({ error: 'insufficient_scope', scope: 'write' })
    })

    it('refuses a key revoked with the CLI with 401, within the gateway’s refresh bound', async () => {
      const request = { path: '/api/things', headers: { authorization: basic(keys.victim) } }
      expect((await proxied.send(request)).status).toBe(200)
      await proxied.store.revoke(keys.victim.id)
      // SQLite reports another process's commit from the gateway's next event-loop turn; allow 5 s.
      let answer = await proxied.send(request)
      for (const started = Date.now(); answer.status === 200 && Date.now() - started < 5000; ) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        answer = await proxied.send(request)
      }
      expect(answer.status).toBe(401)
      expect(answer.lines('www-authenticate')).toEqual([BASIC_CHALLENGE])
      expect(refusalBody(answer)).toEqual({ error: 'invalid_client', error_description: 'The API key is not valid.' })
    })
  })

  describe('throttling, by the address the proxy saw', () => {
    it('answers a client guessing secrets with 429 and Retry-After, and lets another client in', async () => {
      const wrong = basicAuthorization(keys.target.id, wrongSecret(keys.target.secret))
      const guesses: number[] = []
      let blocked: RawAnswer | undefined
      // Each guess claims another X-Forwarded-For: the proxy must not pass a client's claim on, or
      // every guess would count for another address and none would be throttled before 100 (perKey).
      for (let guess = 1; guess <= 30 && !blocked; guess++) {
        const answer = await proxied.send({
          path: '/api/things',
          from: '127.0.0.2',
          headers: { authorization: wrong, 'x-forwarded-for': `198.51.100.${guess}` },
        })
        guesses.push(answer.status)
        if (answer.status === 429) blocked = answer
      }
      // Ten failures for one key from one address (perKeyAndAddress), then the block.
      expect(guesses).toEqual([...Array(10).fill(401), 429])
      expect(blocked?.lines('retry-after')).toHaveLength(1)
      expect(Number(blocked?.header('retry-after'))).toBeGreaterThan(0)
      expect(blocked?.header('ratelimit-limit')).toBe('10')
      expect(refusalBody(blocked as RawAnswer)).toMatchObject({ error: 'too_many_requests' })
      const other = await proxied.send({
        path: '/api/things',
        from: '127.0.0.3',
        headers: { authorization: basic(keys.target) },
      })
      expect(readEcho(other)?.values('x-latchkey-key-id')).toEqual([keys.target.id])
    })
  })

  describe('usage limits', () => {
    it("passes a limited key's RateLimit fields to the client, then its 429, and no such field for other keys", async () => {
      const limited = { authorization: basic(keys.limited), ratelimit: 'limit=1000, remaining=999, reset=1' }
      const answers: RawAnswer[] = []
      for (let request = 0; request < 4; request++)
        answers.push(await proxied.send({ path: '/api/things', headers: limited }))
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429])
      // The backend's answer, with the fields the gateway wrote, each once; the client's own never reached it.
      const served = answers.slice(0, 3)
      expect(served.map((answer) => readEcho(answer)?.values('x-latchkey-key-id'))).toEqual(
        Array(3).fill([keys.limited.id]),
      )
      expect(served.map((answer) => answer.lines('ratelimit-policy'))).toEqual(Array(3).fill(['"key-3-1m";q=3;w=60']))
      expect(served.map((answer) => answer.lines('ratelimit').map((value) => value.replace(/;t=\d+$/, '')))).toEqual([
        ['"key-3-1m";r=2'],
        ['"key-3-1m";r=1'],
        ['"key-3-1m";r=0'],
      ])
      expect(served.map((answer) => readEcho(answer)?.values('ratelimit'))).toEqual(Array(3).fill([]))
      const refused = answers[3] as RawAnswer
      expect(refusalBody(refused)).toMatchObject({ error: 'rate_limited' })
      expect(Number(refused.header('retry-after'))).toBeGreaterThan(0)
      expect(refused.header('ratelimit-limit')).toBe('3')
      const unlimited = await proxied.send({ path: '/api/things', headers: { authorization: basic(keys.reader) } })
      expect(readEcho(unlimited)?.values('x-latchkey-key-id')).toEqual([keys.reader.id])
      expect(unlimited.names.filter((name) => name.startsWith('ratelimit'))).toEqual([])
    })
  })

  describe('path tricks, sent as raw request lines', () => {
    // With the reader's key (scope read): /admin needs scope admin, /public/* needs nothing.
    it.each(['/api/%2e%2e/admin', '//admin', '/public/../admin', '/public/%2E%2E/admin'])(
      '%s is decided as /admin, never as a looser rule',
      async (path) => {
        const answer = await proxied.send({ path, headers: { authorization: basic(keys.reader) } })
        expect(answer.status).toBe(403)
        expect(answer.lines('www-authenticate')).toEqual([
          expect.stringMatching(/error="insufficient_scope".*scope="admin"/),
        ])
      },
    )

    it.each(['/public%2F..%2Fadmin', '/public/..;/admin', '/public/../../admin', '/public/%2e%2e/%2e%2e/admin'])(
      '%s is refused with 400, and never reaches the backend',
      async (path) => {
        const answer = await proxied.send({ path, headers: { authorization: basic(keys.reader) } })
        expect(answer.status).toBe(400)
        expect(readEcho(answer)).toBeUndefined()
      },
    )
  })
}

/**
 * Registers the store-outage test. It destroys the store, so the calling file registers it last:
 * vitest runs a file's tests in the order they are registered.
 */
export function describeStoreOutage(proxied: ProxiedGateway): void {
  describe('a key store that fails under the running gateway', () => {
    it('answers 503 with Retry-After and the JSON body, and still serves routes that need no credentials', async () => {
      const key = await proxied.store.createKey(proxied.accountId, ['read'])
      const request = { path: '/api/things', headers: { authorization: basicAuthorization(key.id, key.secret) } }
      expect((await proxied.send(request)).status).toBe(200)
      await damageKeyStore(proxied.store.file)
      const answer = await proxied.send(request)
      expect(answer.status).toBe(503)
      expect(answer.lines('retry-after')).toEqual(['1'])
      expect(answer.lines('www-authenticate')).toEqual([])
      expect(refusalBody(answer)).toMatchObject({ error: 'temporarily_unavailable' })
      // An "auth": "none" route never reads the store.
      expect(readEcho(await proxied.send({ path: '/public/logo.png' }))?.path).toBe('/public/logo.png')
    })
  })
}
