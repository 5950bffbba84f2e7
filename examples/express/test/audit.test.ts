import { randomBytes } from 'node:crypto'
import * as diagnosticsChannel from 'node:diagnostics_channel'
import { AUTH_EVENT_CHANNEL, type AuthEvent } from '@latchkey/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  basicBytes,
  call,
  createKey,
  getTest,
  getToken,
  type HttpResult,
  startServer,
  type TestKey,
  type TestServer,
  tokenRequest,
  waitUntil,
} from './harness.js'
import { decodeJwt, encodeSegment, foreignEd25519Jwk, serverSigningKey, signEdDsa, validClaims } from './jwt.js'

/** A well-formed secret nobody issued. */
function randomSecret(): string {
  return `lksecret_${randomBytes(48)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 43)}`
}

let server: TestServer
let key: TestKey
let spare: TestKey
let token: string
/** Every event published on the `latchkey:auth` diagnostics channel during the run. */
const published: AuthEvent[] = []
const onPublish = (message: unknown) => published.push(message as AuthEvent)
/** Values that must appear in no event and no log line. */
const sensitive = new Set<string>()
let requests = 0
const answers: HttpResult[] = []

async function send(result: Promise<HttpResult>): Promise<HttpResult> {
  requests += 1
  const answer = await result
  answers.push(answer)
  return answer
}

beforeAll(async () => {
  server = await startServer({ verifier: { lastUsedFlushInterval: 1000 } })
  key = await createKey(server.manager, ['read'])
  spare = await createKey(server.manager, ['read'])
  sensitive.add(key.secret).add(spare.secret)
  token = await getToken(server.url, key)
  sensitive.add(token)
  diagnosticsChannel.subscribe(AUTH_EVENT_CHANNEL, onPublish)
  const before = server.events.length

  const signing = await serverSigningKey(server.store)
  const { header, claims } = decodeJwt(token)
  const [head, payload, signature = ''] = token.split('.')
  const now = Math.floor(Date.now() / 1000)
  const forged = [
    `${head}.${encodeSegment({ ...claims, scope: 'read write admin' })}.${signature}`,
    `${head}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`,
    `${encodeSegment({ ...header, alg: 'none' })}.${payload}.`,
    signEdDsa(header, validClaims(server.issuer, key.id), foreignEd25519Jwk()),
    signEdDsa(header, { ...validClaims(server.issuer, key.id), iat: now - 7200, exp: now - 3600 }, signing.privateJwk),
    `${head}.${payload}${'A'.repeat(4200)}.${signature}`,
  ]
  for (const value of forged) sensitive.add(value)

  for (let round = 0; round < 10; round++) {
    const secret = randomSecret()
    sensitive.add(secret)
    await Promise.all([
      // Wrong secrets, unknown ids, malformed headers.
      send(getTest(server.url, basic(key.id, secret))),
      send(getTest(server.url, basic(`lk_${'E'.repeat(24)}`, secret))),
      send(getTest(server.url, basic(key.id, `${secret}\u0001`))),
      send(getTest(server.url, basicBytes([...Buffer.from(`${key.id}:${secret}`), 0xff]))),
      send(getTest(server.url, `Bearer ${secret} ${secret}`)),
      send(getTest(server.url, `Basic ${Buffer.from(`${key.id}:${secret}`).toString('base64')}=`)),
      // Secrets where the id belongs, and over-long ids that still hold a secret.
      send(getTest(server.url, basic(key.secret, ''))),
      send(getTest(server.url, basic(spare.secret, spare.id))),
      send(getTest(server.url, basic(`${key.id}${key.secret}${'x'.repeat(300)}`, secret))),
      // Token requests with bad secrets, or with the secret as the client id.
      send(tokenRequest(server.url, { grant_type: 'client_credentials' }, { authorization: basic(key.id, secret) })),
      send(tokenRequest(server.url, { grant_type: 'client_credentials', client_id: key.id, client_secret: secret })),
      send(
        tokenRequest(server.url, { grant_type: 'client_credentials', client_id: key.secret, client_secret: key.id }),
      ),
      send(call(server.url, `/oauth/token?client_secret=${secret}`, { method: 'POST' })),
      send(call(server.url, `/api/test?access_token=${token}`)),
    ])
  }
  for (const value of forged) await send(getTest(server.url, `Bearer ${value}`))
  // And the owner, with Basic (from the attacked address, so possibly throttled) and with a token.
  await send(getTest(server.url, basic(key.id, key.secret)))
  await send(getTest(server.url, `Bearer ${token}`))
  server.events.splice(0, before)
})

afterAll(async () => {
  diagnosticsChannel.unsubscribe(AUTH_EVENT_CHANNEL, onPublish)
  await server?.stop()
})

/** Each sensitive value found in `texts`, shortened, with where. */
function leaks(where: string, texts: readonly string[]): string[] {
  const found: string[] = []
  for (const text of texts) {
    for (const value of sensitive) if (text.includes(value)) found.push(`${where}: ${value.slice(0, 12)}…`)
  }
  return found
}

describe('Audit events of an attack run against the Express example', () => {
  it('records one event per request, on the hook and on diagnostics_channel alike', () => {
    expect(requests).toBeGreaterThan(140)
    expect(server.events).toHaveLength(requests)
    expect(published).toEqual(server.events)
  })

  it('puts no secret and no token in any event or log line', () => {
    expect(
      leaks(
        'hook',
        server.events.map((event) => JSON.stringify(event)),
      ),
    ).toEqual([])
    expect(
      leaks(
        'channel',
        published.map((event) => JSON.stringify(event)),
      ),
    ).toEqual([])
    expect(server.logs.length).toBeGreaterThanOrEqual(requests)
    expect(leaks('log', server.logs)).toEqual([])
  })

  it('says why each credential was refused, with the method, the key id when known, and a duration', () => {
    const reasons = new Set(server.events.map((event) => event.reason).filter((reason) => reason !== undefined))
    for (const reason of [
      'wrong_secret',
      'unknown_key',
      'malformed_key',
      'token_invalid',
      'token_expired',
      'malformed_token',
    ]) {
      expect(reasons, reason).toContain(reason)
    }
    // The owner's Bearer call succeeds; their Basic call from the attacked address may be throttled.
    expect(server.events.filter((event) => event.outcome === 'success').length).toBeGreaterThanOrEqual(1)
    expect(server.events.filter((event) => event.outcome === 'error')).toEqual([])
    for (const event of server.events) {
      expect(['authenticate', 'token']).toContain(event.type)
      expect(event.durationMs).toBeGreaterThanOrEqual(0)
      expect(event.durationMs).toBeLessThan(5000)
      if (event.reason === 'wrong_secret')
        expect(event).toMatchObject({ keyId: key.id, code: 'ERR_INVALID_CREDENTIALS' })
      if (event.keyId !== undefined) expect([key.id, spare.id, `lk_${'E'.repeat(24)}`]).toContain(event.keyId)
      if (event.clientAddress !== undefined) expect(event.clientAddress).toMatch(/127\.0\.0\.1|::1/)
    }
  })

  it('answers with no secret or token, and never 5xx', () => {
    expect(answers.filter((answer) => answer.status >= 500)).toEqual([])
    expect(
      leaks(
        'response',
        answers.map((answer) => answer.body + JSON.stringify(answer.headers)),
      ),
    ).toEqual([])
  })
})

describe('lastUsedAt of the Express example on SQLite', () => {
  it("records the owner's use within the flush interval, and none for keys only attacked", async () => {
    await waitUntil(async () => (await server.manager.getApiKey(key.id)).lastUsedAt instanceof Date, 5000, 100)
    const used = await server.manager.getApiKey(key.id)
    expect(Math.abs(Date.now() - (used.lastUsedAt?.getTime() ?? 0))).toBeLessThan(60_000)
    expect((await server.manager.getApiKey(spare.id)).lastUsedAt ?? null).toBeNull()
  })
})
