import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oauthRoutes as expressRoutes } from '../src/adapters/express.js'
import { oauthRoutes as fastifyRoutes } from '../src/adapters/fastify.js'
import { oauthRoutes as koaRoutes } from '../src/adapters/koa.js'
import { oauthRoutes as nodeRoutes } from '../src/adapters/node.js'
import { createVerifier, MAX_FORM_BODY_BYTES, MemoryKeyStore, type Verifier } from '../src/index.js'
import { createKeyManager } from '../src/manage/index.js'

/** An answer without the framing headers, which are each server's business. */
interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/** A request to the token endpoint. */
interface TokenCall {
  readonly method?: string
  readonly headers?: http.OutgoingHttpHeaders
  readonly body?: string | Uint8Array
}

const framing = ['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']
const store = new MemoryKeyStore()
const manager = createKeyManager(store)
const key = await manager.createApiKey({
  accountId: (await manager.createAccount({ name: 'Adapters' })).id,
  scopes: ['read'],
})

/** Each adapter on its own verifier (so its own throttle) over the same store, on a loopback port. */
const servers: Record<string, (verifier: Verifier) => Promise<http.Server>> = {
  'node:http': async (verifier) => {
    const routes = nodeRoutes(verifier)
    return http.createServer((req, res) => routes(req, res, () => res.writeHead(404).end()))
  },
  fastify: async (verifier) => {
    const app = Fastify()
    await app.register(fastifyRoutes(verifier))
    await app.ready()
    return app.server
  },
  koa: async (verifier) => http.createServer(new Koa().use(koaRoutes(verifier)).callback()),
  express: async (verifier) => http.createServer(express().use(expressRoutes(verifier))),
}
const ports: Record<string, number> = {}
const started: http.Server[] = []

beforeAll(async () => {
  for (const [name, start] of Object.entries(servers)) {
    const server = await start(createVerifier({ store, issuer: 'https://api.latchkey.test' }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    ports[name] = (server.address() as AddressInfo).port
    started.push(server)
  }
})

afterAll(() => Promise.all(started.map((server) => new Promise((resolve) => server.close(resolve)))))

function send(adapter: string, { method = 'POST', headers = {}, body }: TokenCall): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: ports[adapter], method, path: '/oauth/token', headers })
    request.on('error', reject).on('response', (response) => read(response).then(resolve, reject))
    request.end(body)
  })
}

/**
 * Sends `call` as a client that asks to keep the connection (as `fetch` and Node's global agent do), and
 * resolves once the whole body is sent, the answer read and the connection closed without a reset, so
 * nothing the server left unread can reset it later; rejects if the connection is still open after 5 s.
 */
async function sendWhole(adapter: string, { method = 'POST', headers = {}, body }: TokenCall): Promise<Answer> {
  const agent = new http.Agent({ keepAlive: true })
  try {
    return await new Promise<Answer>((resolve, reject) => {
      let answer: Promise<Answer> | undefined
      let sent = false
      const request = http.request({
        host: '127.0.0.1',
        port: ports[adapter],
        method,
        path: '/oauth/token',
        headers,
        agent,
      })
      const timer = setTimeout(() => {
        reject(new Error('The connection is still open after 5 s.'))
        request.destroy()
      }, 5000)
      request.on('finish', () => {
        sent = true
      })
      request.on('error', reject).on('response', (response) => {
        answer = read(response)
      })
      request.on('socket', (socket) =>
        socket.on('close', (hadError) => {
          clearTimeout(timer)
          if (hadError || !sent || !answer) reject(new Error('The connection closed before the exchange was done.'))
          else answer.then(resolve, reject)
        }),
      )
      request.end(body)
    })
  } finally {
    agent.destroy()
  }
}

/** The answer of `response`, read whole. */
function read(response: http.IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let text = ''
    response.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk
    })
    response.on('error', reject).on('end', () => {
      const kept = Object.entries(response.headers).filter(([name]) => !framing.includes(name))
      resolve({ status: response.statusCode ?? 0, headers: Object.fromEntries(kept), body: text })
    })
  })
}

const basic = (secret: string) => `Basic ${btoa(`${key.id}:${secret}`)}`
const form = (headers: http.OutgoingHttpHeaders = {}) => ({
  'content-type': 'application/x-www-form-urlencoded',
  authorization: basic(key.secret),
  ...headers,
})
const oversized = `grant_type=client_credentials&pad=${'x'.repeat(MAX_FORM_BODY_BYTES)}`

describe('Fastify and Koa answer the token endpoint as the node:http adapter does', () => {
  it.each([
    ['a body over the limit, declared', { headers: form(), body: oversized }],
    ['a body over the limit, chunked', { headers: form({ 'transfer-encoding': 'chunked' }), body: oversized }],
    ['a body that is not UTF-8', { headers: form(), body: Buffer.from('grant_type=\xff', 'latin1') }],
    ['HEAD', { method: 'HEAD', headers: form() }],
  ] satisfies [string, TokenCall][])('refuses %s alike', async (_name, request) => {
    const reference = await send('node:http', request)
    expect(reference.status).toBeGreaterThanOrEqual(400)
    for (const adapter of ['fastify', 'koa']) expect(await send(adapter, request), adapter).toEqual(reference)
  })

  it('refuses a client past the failure throttle alike, with Retry-After and RateLimit-*', async () => {
    const wrong = { headers: form({ authorization: basic(`${key.secret}x`) }), body: 'grant_type=client_credentials' }
    const last = async (adapter: string) => {
      let answer: Answer | undefined
      for (let attempt = 0; attempt < 12; attempt++) answer = await send(adapter, wrong)
      return answer
    }
    const reference = await last('node:http')
    expect(reference?.headers['retry-after']).toBeDefined()
    for (const adapter of ['fastify', 'koa']) expect(await last(adapter), adapter).toEqual(reference)
  })
})

describe('Every Node adapter answers an oversized chunked body instead of resetting the connection', () => {
  const chunked = form({ 'transfer-encoding': 'chunked' })
  const huge = `grant_type=client_credentials&pad=${'x'.repeat(2_000_000)}`

  it.each(Object.keys(servers))('%s answers a 2 MB chunked body 400 invalid_request, then closes', async (adapter) => {
    const answer = await sendWhole(adapter, { headers: chunked, body: huge })
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' })
    expect(answer).toEqual(await send(adapter, { headers: chunked, body: oversized }))
    // And the server goes on answering (another key: an earlier test blocked this one for this address).
    const other = await manager.createApiKey({ accountId: key.accountId })
    const headers = form({ authorization: `Basic ${btoa(`${other.id}:${other.secret}`)}` })
    expect((await send(adapter, { headers, body: 'grant_type=client_credentials' })).status).toBe(200)
  })
})
