import type { KeyStore } from '@latchkey/verifier'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  basic,
  call,
  createKey,
  getTest,
  getToken,
  rawCall,
  rawSocket,
  startServer,
  type TestKey,
  type TestServer,
  tokenRequest,
} from './harness.js'

/** Counts every call the server makes to its store, by method. */
const calls = new Map<string, number>()
const storeCalls = () => [...calls.entries()].filter(([, count]) => count > 0)

function counting(store: KeyStore): KeyStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1)
        return value.apply(target, args)
      }
    },
  })
}

let server: TestServer
let key: TestKey
let token: string

beforeAll(async () => {
  server = await startServer({ wrapStore: counting })
  key = await createKey(server.manager)
  token = await getToken(server.url, key)
})

afterAll(async () => {
  await server?.stop()
})

beforeEach(() => {
  calls.clear()
})

describe('Input limits over HTTP: each refused with a 4xx before any store call', () => {
  it("leaves request heads over Node's 16 KiB to Node, which answers 431 before the app runs", async () => {
    const events = server.events.length
    const logs = server.logs.length
    const head = Buffer.from(
      `GET /api/test HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basic(key.id, key.secret)}\r\nX-Pad: ${'a'.repeat(17 * 1024)}`,
    )
    const result = await rawSocket(server.url, head)
    expect(result.status).toBe(431)
    expect(server.events.length).toBe(events)
    expect(server.logs.length).toBe(logs)
    expect(storeCalls()).toEqual([])
  })

  it('answers an Authorization header over 8192 characters 400, an over-long id or secret 401', async () => {
    expect((await getTest(server.url, `Bearer ${'a'.repeat(8200)}`)).status).toBe(400)
    expect((await getTest(server.url, basic(`lk_${'a'.repeat(300)}`, key.secret))).status).toBe(401)
    expect((await getTest(server.url, basic(key.id, `lksecret_${'a'.repeat(300)}`))).status).toBe(401)
    const post = await tokenRequest(server.url, {
      grant_type: 'client_credentials',
      client_id: key.id,
      client_secret: 'a'.repeat(300),
    })
    expect(post.status).toBe(401)
    expect(storeCalls()).toEqual([])
  })

  it('answers a token over 4096 characters 401 without checking its signature', async () => {
    const [head, payload, signature] = token.split('.')
    const long = `${head}.${payload}${'A'.repeat(4100)}.${signature}`
    const result = await getTest(server.url, `Bearer ${long}`)
    expect(result.status).toBe(401)
    expect(JSON.parse(result.body)).toMatchObject({ error: 'invalid_token' })
    expect(storeCalls()).toEqual([])
  })

  it('answers a token request body over 8192 bytes or over 32 parameters 400', async () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(key.id, key.secret) }
    const large = await call(server.url, '/oauth/token', {
      method: 'POST',
      headers,
      body: `grant_type=client_credentials&pad=${'a'.repeat(9000)}`,
    })
    expect(large.status).toBe(400)
    const chunked = await rawCall(server.url, '/oauth/token', {
      method: 'POST',
      headers: { ...headers, 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: 20 }, (_, index) => `p${index}=${'a'.repeat(1000)}&`),
    })
    expect(chunked.status).toBe(400)
    const many = await call(server.url, '/oauth/token', {
      method: 'POST',
      headers,
      body: ['grant_type=client_credentials', ...Array.from({ length: 40 }, (_, index) => `p${index}=v`)].join('&'),
    })
    expect(many.status).toBe(400)
    expect(storeCalls()).toEqual([])
  })
})
