import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { AuthEvent } from '@latchkey/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  basicBytes,
  call,
  cli,
  cliCreateKey,
  createKey,
  getTest,
  getToken,
  type HttpResult,
  makeTempDir,
  removeTempDir,
  type ServerProcess,
  spawnServer,
  startServer,
  type TestKey,
  type TestServer,
  tokenRequest,
} from './harness.js'
import { decodeJwt, encodeSegment, foreignEd25519Jwk, signEdDsa, validClaims } from './jwt.js'

/** A well-formed secret nobody issued: it reaches the store lookup and the hash comparison. */
function wrongSecret(): string {
  return `lksecret_${randomBytes(48)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 43)}`
}

/** Everything a run exposed: responses, and what the server wrote down. */
class Exposure {
  readonly responses: HttpResult[] = []
  /** Values that must appear nowhere: secrets issued or sent, and access tokens. */
  readonly sensitive = new Set<string>()

  async record(result: Promise<HttpResult>): Promise<HttpResult> {
    const answer = await result
    this.responses.push(answer)
    return answer
  }

  /** Every sensitive value found in `texts`, with where. */
  leaks(texts: Record<string, readonly string[]>): string[] {
    const found: string[] = []
    for (const [where, list] of Object.entries(texts)) {
      for (const text of list) {
        for (const value of this.sensitive) {
          if (text.includes(value)) found.push(`${where}: ${value.slice(0, 12)}… in ${text.slice(0, 200)}`)
        }
      }
    }
    return found
  }

  responseTexts(): string[] {
    return this.responses.flatMap((response) => [response.body, JSON.stringify(response.headers)])
  }
}

/** The walk-through: Basic, a token, Bearer, a write, and revocation. */
async function walkThrough(
  url: string,
  key: TestKey,
  exposure: Exposure,
  revoke: () => Promise<unknown>,
): Promise<void> {
  exposure.sensitive.add(key.secret)
  await exposure.record(getTest(url))
  expect((await exposure.record(getTest(url, basic(key.id, key.secret)))).status).toBe(200)
  const tokenAnswer = await exposure.record(
    tokenRequest(url, { grant_type: 'client_credentials' }, { authorization: basic(key.id, key.secret) }),
  )
  expect(tokenAnswer.status).toBe(200)
  const token = String((JSON.parse(tokenAnswer.body) as { access_token: string }).access_token)
  exposure.sensitive.add(token)
  // The token response itself must carry the token: it is the one place it belongs.
  exposure.responses.pop()
  const body = await exposure.record(
    tokenRequest(url, { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret }),
  )
  expect(body.status).toBe(200)
  exposure.sensitive.add(String((JSON.parse(body.body) as { access_token: string }).access_token))
  exposure.responses.pop()
  expect((await exposure.record(getTest(url, `Bearer ${token}`))).status).toBe(200)
  await exposure.record(call(url, '/api/test', { method: 'POST', headers: { authorization: `Bearer ${token}` } }))
  await revoke()
  expect((await exposure.record(getTest(url, basic(key.id, key.secret)))).status).toBe(401)
  expect((await exposure.record(getTest(url, `Bearer ${token}`))).status).toBe(401)
  expect(
    (
      await exposure.record(
        tokenRequest(url, { grant_type: 'client_credentials' }, { authorization: basic(key.id, key.secret) }),
      )
    ).status,
  ).toBe(401)
}

/** Wrong secrets, malformed headers, secrets in URLs, and forged tokens against a live key. */
async function attack(url: string, key: TestKey, token: string, exposure: Exposure, rounds: number): Promise<void> {
  exposure.sensitive.add(token)
  const unknownId = `lk_${'E'.repeat(24)}`
  for (let round = 0; round < rounds; round++) {
    const secret = wrongSecret()
    exposure.sensitive.add(secret)
    const requests = [
      getTest(url, basic(key.id, secret)),
      getTest(url, basic(unknownId, secret)),
      getTest(url, basic(key.id, `${secret}\u0001`)),
      getTest(url, basicBytes([...Buffer.from(`${key.id}:${secret}`), 0xff])),
    ]
    if (round % 10 === 0) {
      requests.push(
        tokenRequest(url, { grant_type: 'client_credentials' }, { authorization: basic(key.id, secret) }),
        tokenRequest(url, { grant_type: 'client_credentials', client_id: key.id, client_secret: secret }),
        tokenRequest(url, { grant_type: 'password', client_id: key.id, client_secret: secret }),
        call(url, `/oauth/token?client_secret=${secret}`, {
          method: 'POST',
          headers: { authorization: basic(key.id, secret) },
        }),
        getTest(url, `Basic ${Buffer.from(`${key.id}:${secret}`).toString('base64')}=`),
        getTest(url, `Bearer ${secret} ${secret}`),
        getTest(url, `Bearer ${secret}`),
        call(url, `/api/test?access_token=${token}`),
      )
    }
    for (const answer of await Promise.all(requests)) exposure.responses.push(answer)
  }
  const { header, claims } = decodeJwt(token)
  const [head, payload, signature = ''] = token.split('.')
  const forged = [
    `${head}.${encodeSegment({ ...claims, scope: 'read write admin' })}.${signature}`,
    `${head}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`,
    `${encodeSegment({ ...header, alg: 'none' })}.${payload}.`,
    signEdDsa(header, validClaims(String(claims.iss), key.id), foreignEd25519Jwk()),
    `${token}x`,
  ]
  for (const forgery of forged) {
    exposure.sensitive.add(forgery)
    await exposure.record(getTest(url, `Bearer ${forgery}`))
  }
}

describe('No secret or token in logs, events or responses (one process)', () => {
  let server: TestServer
  const exposure = new Exposure()
  let key: TestKey

  beforeAll(async () => {
    // The attack below would get this address throttled (429), and the event tests after it need 401s.
    server = await startServer({ verifier: { failureThrottle: false } })
    key = await createKey(server.manager, ['read', 'write'])
    const walker = await createKey(server.manager, ['read', 'write'])
    await walkThrough(server.url, walker, exposure, () => server.manager.revokeApiKey(walker.id))
    exposure.sensitive.add(key.secret)
    const token = await getToken(server.url, key)
    await attack(server.url, key, token, exposure, 100)
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('ran hundreds of refused requests', () => {
    expect(exposure.responses.filter((response) => response.status >= 400).length).toBeGreaterThan(400)
    expect(exposure.sensitive.size).toBeGreaterThan(100)
  })

  it('writes no secret or token in any log line', () => {
    expect(server.logs.length).toBeGreaterThan(400)
    expect(exposure.leaks({ log: server.logs })).toEqual([])
  })

  it('puts no secret or token in any audit event', () => {
    expect(exposure.leaks({ event: server.events.map((event) => JSON.stringify(event)) })).toEqual([])
  })

  it('answers with no secret or token in any body or header', () => {
    expect(exposure.leaks({ response: exposure.responseTexts() })).toEqual([])
  })

  it('keeps no issued secret and no access token in the database files', () => {
    const files = fs
      .readdirSync(server.dir)
      .map((name) => fs.readFileSync(path.join(server.dir, name)).toString('latin1'))
    expect(files.length).toBeGreaterThan(0)
    expect(files.join('')).toContain(key.id)
    expect(exposure.leaks({ database: files })).toEqual([])
  })

  it('records why a credential was refused, for which key, and how long the decision took', async () => {
    const wrong = wrongSecret()
    const unknownId = `lk_${'F'.repeat(24)}`
    const revoked = await createKey(server.manager)
    await server.manager.revokeApiKey(revoked.id)
    const before = server.events.length
    await getTest(server.url, basic(key.id, wrong))
    await getTest(server.url, basic(unknownId, wrong))
    await getTest(server.url, basic(revoked.id, revoked.secret))
    await tokenRequest(server.url, { grant_type: 'client_credentials' }, { authorization: basic(key.id, wrong) })
    await getTest(server.url, basic(key.id, key.secret))
    const events = server.events.slice(before)
    const failure = { outcome: 'failure', code: 'ERR_INVALID_CREDENTIALS', method: 'basic' }
    expect(events).toMatchObject([
      { type: 'authenticate', ...failure, reason: 'wrong_secret', keyId: key.id },
      { type: 'authenticate', ...failure, reason: 'unknown_key', keyId: unknownId },
      { type: 'authenticate', ...failure, reason: 'key_revoked', keyId: revoked.id },
      { type: 'token', outcome: 'failure', code: 'ERR_INVALID_CREDENTIALS', reason: 'wrong_secret', keyId: key.id },
      { type: 'authenticate', outcome: 'success', method: 'basic', keyId: key.id, accountId: key.accountId },
    ])
    for (const event of events as AuthEvent[]) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0)
      expect(event.durationMs).toBeLessThan(5000)
      expect(event.at).toBeInstanceOf(Date)
      expect(event).not.toHaveProperty('secret')
    }
  })

  it('records a refused token with its reason', async () => {
    const token = await getToken(server.url, key)
    const before = server.events.length
    const [head, , signature] = token.split('.')
    await getTest(server.url, `Bearer ${head}.${encodeSegment({ sub: key.id })}.${signature}`)
    expect(server.events.slice(before)).toMatchObject([
      {
        type: 'authenticate',
        outcome: 'failure',
        code: 'ERR_INVALID_TOKEN',
        reason: 'token_invalid',
        method: 'bearer',
      },
    ])
  })

  it('puts no secret in an event when the secret is sent where the id belongs (curl -u SECRET:)', async () => {
    const before = server.events.length
    // Users of other APIs send the secret as the Basic user name, or swap id and secret.
    await getTest(server.url, basic(key.secret, ''))
    await getTest(server.url, basic(key.secret, key.id))
    await tokenRequest(server.url, { grant_type: 'client_credentials', client_id: key.secret, client_secret: key.id })
    const events = server.events.slice(before).map((event) => JSON.stringify(event))
    expect(events).toHaveLength(3)
    expect(events.filter((event) => event.includes(key.secret))).toEqual([])
  })
})

describe('No secret or token in the output of the real server process', () => {
  let dir: string
  let server: ServerProcess | undefined
  const exposure = new Exposure()

  beforeAll(async () => {
    dir = makeTempDir()
    const databaseUrl = `sqlite:${dir}/latchkey.db`
    const walker = await cliCreateKey(databaseUrl, dir, 'read write', 'walker.properties')
    const target = await cliCreateKey(databaseUrl, dir, 'read', 'target.properties')
    server = await spawnServer(databaseUrl, 'http://localhost:3000')
    await walkThrough(server.url, walker, exposure, () => cli(['keys', 'revoke', walker.id], databaseUrl))
    exposure.sensitive.add(target.secret)
    await attack(server.url, target, await getToken(server.url, target), exposure, 30)
  })

  afterAll(async () => {
    await server?.stop()
    removeTempDir(dir)
  })

  it('writes a line per request, none with a secret or token, on stdout or stderr', async () => {
    const { stdout, stderr } = server?.output() ?? { stdout: '', stderr: '' }
    expect(stdout.split('\n').length).toBeGreaterThan(100)
    expect(exposure.leaks({ stdout: stdout.split('\n'), stderr: stderr.split('\n') })).toEqual([])
  })

  it('answers with no secret or token in any body or header', () => {
    expect(exposure.leaks({ response: exposure.responseTexts() })).toEqual([])
  })
})
