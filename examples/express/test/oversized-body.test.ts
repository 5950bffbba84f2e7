import * as http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  createKey,
  type HttpResult,
  json,
  rawCall,
  startServer,
  type TestKey,
  type TestServer,
  tokenRequest,
} from './harness.js'

let server: TestServer
let key: TestKey

beforeAll(async () => {
  server = await startServer()
  key = await createKey(server.manager)
})

afterAll(async () => {
  await server?.stop()
})

/**
 * POSTs `chunks` to the token endpoint, chunked, as a client that asks to keep the connection (as
 * `fetch` and Node's global agent do). Resolves once the whole body is sent, the answer read and the
 * connection closed without a reset; rejects on a reset, or if the connection is still open after 5 s.
 */
async function postChunked(chunks: readonly string[]): Promise<HttpResult> {
  const agent = new http.Agent({ keepAlive: true })
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: basic(key.id, key.secret),
    'transfer-encoding': 'chunked',
  }
  try {
    return await new Promise<HttpResult>((resolve, reject) => {
      let answer: Promise<HttpResult> | undefined
      let sent = false
      const request = http.request(`${server.url}/oauth/token`, { method: 'POST', headers, agent })
      const timer = setTimeout(() => {
        reject(new Error('The connection is still open after 5 s.'))
        request.destroy()
      }, 5000)
      request.on('finish', () => {
        sent = true
      })
      request.on('error', reject).on('response', (response) => {
        answer = new Promise((done, fail) => {
          const parts: Buffer[] = []
          response.on('data', (part: Buffer) => parts.push(part)).on('error', fail)
          response.on('end', () => {
            const kept = Object.entries(response.headers).flatMap(([name, value]) =>
              typeof value === 'string' ? [[name, value]] : [],
            )
            done({
              status: response.statusCode ?? 0,
              headers: Object.fromEntries(kept),
              body: Buffer.concat(parts).toString(),
            })
          })
        })
      })
      request.on('socket', (socket) =>
        socket.on('close', (hadError) => {
          clearTimeout(timer)
          if (hadError || !sent || !answer) reject(new Error('The connection closed before the exchange was done.'))
          else answer.then(resolve, reject)
        }),
      )
      for (const chunk of chunks) request.write(chunk)
      request.end()
    })
  } finally {
    agent.destroy()
  }
}

describe('An oversized chunked token request body over a kept-alive connection', () => {
  it('answers a 2 MB body 400 invalid_request with Connection: close, the whole body read, no reset', async () => {
    const pad = Array.from({ length: 2000 }, () => 'x'.repeat(1000))
    const result = await postChunked(['grant_type=client_credentials&pad=', ...pad])
    expect(result.status).toBe(400)
    expect(result.headers['content-type']).toBe('application/json')
    expect(result.headers.connection).toBe('close')
    expect(json(result)).toMatchObject({ error: 'invalid_request' })
    const small = await rawCall(server.url, '/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(key.id, key.secret) },
      chunks: ['grant_type=client_credentials&pad=', 'x'.repeat(9000)],
    })
    expect(result.body).toBe(small.body)
  })

  it('keeps serving token requests afterwards', async () => {
    await postChunked(['grant_type=client_credentials&pad=', 'x'.repeat(2_000_000)])
    const result = await tokenRequest(
      server.url,
      { grant_type: 'client_credentials' },
      { authorization: basic(key.id, key.secret) },
    )
    expect(result.status, result.body).toBe(200)
  })
})
