import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oauthRoutes as expressRoutes } from '../src/adapters/express.js'
import { oauthRoutes as koaRoutes } from '../src/adapters/koa.js'
import { oauthRoutes as nodeRoutes } from '../src/adapters/node.js'
import { createVerifier, MemoryKeyStore, type Verifier } from '../src/index.js'
import { createKeyManager } from '../src/manage/index.js'

/** An answer without the framing headers, which are each server's business. */
interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

const framing = ['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']
const store = new MemoryKeyStore()
const manager = createKeyManager(store)
const key = await manager.createApiKey({
  accountId: (await manager.createAccount({ name: 'Body parsers' })).id,
  scopes: ['read'],
})

/**
 * What koa-bodyparser and @koa/bodyparser do, which no package here depends on: read the whole stream
 * and set `ctx.request.body`, a form's repeated names as an array, and `{}` for what it does not parse.
 */
const koaBodyParser: Koa.Middleware = async (ctx, next) => {
  const chunks: Buffer[] = []
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk)
  const parsed: Record<string, string | string[]> = {}
  if (ctx.is('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
      const seen = parsed[name]
      parsed[name] = seen === undefined ? value : [seen, value].flat()
    }
  }
  Object.assign(ctx.request, { body: parsed })
  await next()
}

/** Each app on its own verifier (so its own throttle) over the same store; node:http reads the stream itself. */
const servers: Record<string, (verifier: Verifier) => http.Server> = {
  'node:http': (verifier) => {
    const routes = nodeRoutes(verifier)
    return http.createServer((req, res) => routes(req, res, () => res.writeHead(404).end()))
  },
  'express with express.urlencoded()': (verifier) =>
    http.createServer(express().disable('x-powered-by').use(express.urlencoded()).use(expressRoutes(verifier))),
  'koa with a body parser': (verifier) =>
    http.createServer(new Koa().use(koaBodyParser).use(koaRoutes(verifier)).callback()),
}
const ports: Record<string, number> = {}
const started: http.Server[] = []

beforeAll(async () => {
  for (const [name, start] of Object.entries(servers)) {
    const server = start(createVerifier({ store, issuer: 'https://api.latchkey.test' }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    ports[name] = (server.address() as AddressInfo).port
    started.push(server)
  }
})

afterAll(() => Promise.all(started.map((server) => new Promise((resolve) => server.close(resolve)))))

/** A Basic-authenticated form POST to the token endpoint. */
function post(app: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${key.id}:${key.secret}`)}`,
    }
    const request = http.request({ host: '127.0.0.1', port: ports[app], method: 'POST', path: '/oauth/token', headers })
    request.on('error', reject).on('response', (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk
      })
      response.on('end', () => {
        const kept = Object.entries(response.headers).filter(([name]) => !framing.includes(name))
        resolve({ status: response.statusCode ?? 0, headers: Object.fromEntries(kept), body: text })
      })
    })
    request.end(body)
  })
}

const parsed = ['express with express.urlencoded()', 'koa with a body parser']

describe('The token endpoint behind a body parser that consumed the stream', () => {
  it.each(parsed)('%s issues a token for a valid request', async (app) => {
    const answer = await post(app, 'grant_type=client_credentials&scope=read')
    expect(answer.status, answer.body).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer', scope: 'read' })
  })

  it.each([
    ['a parameter given twice', 'grant_type=client_credentials&grant_type=client_credentials'],
    ['an unsupported grant type', 'grant_type=password'],
    ['a missing grant type', 'scope=read'],
  ])('refuses %s as node:http does, reading the stream itself', async (_name, body) => {
    const reference = await post('node:http', body)
    expect(reference.status).toBe(400)
    for (const app of parsed) expect(await post(app, body), app).toEqual(reference)
  })
})
