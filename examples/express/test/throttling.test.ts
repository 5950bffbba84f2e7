import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  createKey,
  type HttpResult,
  json,
  secretChecksum,
  startServer,
  type TestKey,
  type TestServer,
  tokenRequest,
  wrongSecret,
} from './harness.js'

/**
 * Brute-force throttling over HTTP (docs/security.md, "Brute-force throttling"). The server trusts
 * 127.0.0.1 as a proxy, so `X-Forwarded-For` lets one test process speak from many client addresses.
 */
let server: TestServer
let key: TestKey

beforeAll(async () => {
  server = await startServer({ verifier: { trustedProxies: ['127.0.0.1'] } })
  key = await createKey(server.manager)
})

afterAll(async () => {
  await server?.stop()
})

const from = (address: string) => ({ 'x-forwarded-for': address })

/** `GET /api/test` from `address`, as the trusted proxy would forward it. */
async function fetchWith(address: string, headers: Record<string, string>): Promise<HttpResult> {
  const response = await fetch(`${server.url}/api/test`, {
    headers: { ...from(address), ...headers },
    signal: AbortSignal.timeout(5000),
  })
  const result: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    result[name] = value
  })
  return { status: response.status, headers: result, body: await response.text() }
}

const basicAt = (address: string, id: string, secret: string) =>
  fetchWith(address, { authorization: basic(id, secret) })

function tokenAt(address: string, id: string, secret: string): Promise<HttpResult> {
  return tokenRequest(
    server.url,
    { grant_type: 'client_credentials' },
    { authorization: basic(id, secret), ...from(address) },
  )
}

/** Status, the names of the headers, the body, and what the throttling headers say. */
function shape(result: HttpResult) {
  const { date: _date, 'retry-after': retryAfter, 'ratelimit-reset': reset, ...rest } = result.headers
  return {
    status: result.status,
    headers: Object.keys(result.headers).sort(),
    rest,
    body: result.body,
    same: retryAfter === reset,
  }
}

function expectThrottled(result: HttpResult, limit: number): void {
  expect(result.status).toBe(429)
  expect(result.headers['retry-after']).toMatch(/^[1-9]\d*$/)
  expect(result.headers['ratelimit-reset']).toBe(result.headers['retry-after'])
  expect(result.headers['ratelimit-limit']).toBe(String(limit))
  expect(result.headers['ratelimit-remaining']).toBe('0')
  expect(result.headers['www-authenticate']).toBeUndefined()
  expect(json(result)).toEqual({
    error: 'too_many_requests',
    error_description: 'Too many failed attempts. Retry after the number of seconds in Retry-After.',
  })
}

describe('Brute-force throttling over HTTP (Express)', () => {
  it('throttles 3,000 wrong secrets against one key from one address while the owner, from another, keeps getting 200', async () => {
    const attacker = '203.0.113.9'
    const owner = '198.51.100.7'
    const statuses = new Map<number, number>()
    const sent = new Set<string>()
    for (let index = 0; index < 3000; index++) {
      // Distinct wrong secrets of the issued shape (a valid checksum), so each one is checked in full.
      const body = `lksecret_${String(index).padStart(8, '0')}${key.secret.slice(17, -6)}`
      const secret = wrongSecret(body + secretChecksum(body))
      sent.add(secret)
      const answer = await basicAt(attacker, key.id, secret)
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
      if (index < 10) expect(answer.status).toBe(401)
      else if (answer.status !== 401) expectThrottled(answer, 10)
      if (index % 500 === 0) {
        const text = answer.body + JSON.stringify(answer.headers)
        for (const value of sent) expect(text).not.toContain(value)
      }
      if (index % 100 === 0) {
        expect((await basicAt(owner, key.id, key.secret)).status).toBe(200)
        expect((await tokenAt(owner, key.id, key.secret)).status).toBe(200)
      }
    }
    expect(sent.size).toBe(3000)
    // 10 checked failures, then only the few attempts made as each (doubling) block ran out.
    expect(statuses.get(401) ?? 0).toBeGreaterThanOrEqual(10)
    expect(statuses.get(401) ?? 0).toBeLessThanOrEqual(20)
    expect(statuses.get(429) ?? 0).toBeGreaterThanOrEqual(2980)
    expect([...statuses.keys()].sort()).toEqual([401, 429])
    // The blocked address is blocked for that key whatever the secret, the right one included.
    expectThrottled(await basicAt(attacker, key.id, key.secret), 10)
  }, 120_000)

  it('throttles an unknown id exactly as a known one: same statuses, headers and bodies', async () => {
    const unknownId = `lk_${'Q'.repeat(24)}`
    const known: ReturnType<typeof shape>[] = []
    const unknown: ReturnType<typeof shape>[] = []
    for (let index = 0; index < 15; index++) {
      known.push(shape(await basicAt('192.0.2.10', key.id, wrongSecret(key.secret))))
      unknown.push(shape(await basicAt('192.0.2.11', unknownId, wrongSecret(key.secret))))
    }
    expect(known.map((answer) => answer.status)).toEqual([...Array(10).fill(401), ...Array(5).fill(429)])
    expect(unknown).toEqual(known)
  })

  it('throttles the token endpoint alike, and keeps issuing tokens to the owner from another address', async () => {
    const attacker = '203.0.113.20'
    const answers: HttpResult[] = []
    for (let index = 0; index < 200; index++) answers.push(await tokenAt(attacker, key.id, wrongSecret(key.secret)))
    expect(answers.slice(0, 10).map((answer) => answer.status)).toEqual(Array(10).fill(401))
    expect(answers.slice(0, 10).every((answer) => json(answer).error === 'invalid_client')).toBe(true)
    const throttled = answers.filter((answer) => answer.status === 429)
    expect(throttled.length).toBeGreaterThanOrEqual(185)
    for (const answer of throttled) expectThrottled(answer, 10)
    expect(throttled[0]?.headers.pragma).toBe('no-cache')
    expect((await tokenAt('198.51.100.8', key.id, key.secret)).status).toBe(200)
    // The same form with client_secret in the body is the same check, counted alike.
    const body = await tokenRequest(
      server.url,
      { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret },
      from(attacker),
    )
    expectThrottled(body, 10)
  })

  it('answers 429 to wrong secrets for a key id attacked from many addresses, and still 200 to its owner', async () => {
    const target = await createKey(server.manager)
    // 11 addresses × 9 failures, then one more: no address reaches its own limit, the key id its 100.
    for (let address = 0; address < 11; address++) {
      for (let index = 0; index < 9; index++) {
        expect((await basicAt(`192.0.2.${100 + address}`, target.id, wrongSecret(target.secret))).status).toBe(401)
      }
    }
    expect((await basicAt('192.0.2.111', target.id, wrongSecret(target.secret))).status).toBe(401)
    expectThrottled(await basicAt('192.0.2.200', target.id, wrongSecret(target.secret)), 100)
    expectThrottled(await tokenAt('192.0.2.201', target.id, wrongSecret(target.secret)), 100)
    expect((await basicAt('192.0.2.202', target.id, target.secret)).status).toBe(200)
    expect((await tokenAt('192.0.2.202', target.id, target.secret)).status).toBe(200)
    // Other ids from those addresses are not affected.
    expect((await basicAt('192.0.2.200', key.id, key.secret)).status).toBe(200)
  })

  it('does not believe X-Forwarded-For from an untrusted peer', async () => {
    const direct = await startServer()
    try {
      const target = await createKey(direct.manager)
      const answers: number[] = []
      for (let index = 0; index < 11; index++) {
        // A different forwarded address every time: without a trusted proxy all of them are 127.0.0.1.
        const response = await fetch(`${direct.url}/api/test`, {
          headers: { ...from(`203.0.113.${index}`), authorization: basic(target.id, wrongSecret(target.secret)) },
        })
        answers.push(response.status)
      }
      expect(answers).toEqual([...Array(10).fill(401), 429])
    } finally {
      await direct.stop()
    }
  })

  it('leaves the address of a blocked attacker, for other ids, to the per-address limit', async () => {
    const attacker = '203.0.113.30'
    for (let index = 0; index < 10; index++) await basicAt(attacker, key.id, wrongSecret(key.secret))
    expectThrottled(await basicAt(attacker, key.id, key.secret), 10)
    const other = await createKey(server.manager)
    expect((await basicAt(attacker, other.id, other.secret)).status).toBe(200)
  })
})
