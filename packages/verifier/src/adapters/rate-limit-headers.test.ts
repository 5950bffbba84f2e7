import type * as http from 'node:http'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { afterAll, describe, expect, it } from 'vitest'
import { fetchListener, get, limitedStore, listen } from '../../test/limited-api.js'
import type { Verifier } from '../index.js'
import * as expressAdapter from './express.js'
import * as fastifyAdapter from './fastify.js'
import * as fetchAdapter from './fetch.js'
import * as honoAdapter from './hono.js'
import * as koaAdapter from './koa.js'
import * as nextAdapter from './next.js'
import * as nodeAdapter from './node.js'

// Every adapter sets a limited key's RateLimit fields on the API's own answer, and charges a route its cost.

const json = (res: http.ServerResponse) => res.setHeader('Content-Type', 'application/json').end('{"ok":true}')
const ok = () => Response.json({ ok: true })

/** Each adapter's API: `GET /data` costs 1, `GET /report` costs 5. */
const apis: Record<string, (verifier: Verifier) => Promise<http.RequestListener>> = {
  express: async (verifier) => {
    const app = express()
    app.get('/data', expressAdapter.authenticate(verifier), (_req, res) => void res.json({ ok: true }))
    app.get('/report', expressAdapter.authenticate(verifier, { cost: 5 }), (_req, res) => void res.json({ ok: true }))
    return app
  },
  'node:http authenticate': async (verifier) => {
    const data = nodeAdapter.authenticate(verifier)
    const report = nodeAdapter.authenticate(verifier, { cost: 5 })
    return (req, res) => (req.url === '/report' ? report : data)(req, res, () => json(res))
  },
  'node:http withAuth': async (verifier) => {
    const data = nodeAdapter.withAuth(verifier, (_req, res) => json(res))
    const report = nodeAdapter.withAuth(verifier, (_req, res) => json(res), { cost: 5 })
    return (req, res) => (req.url === '/report' ? report : data)(req, res)
  },
  fastify: async (verifier) => {
    const app = Fastify()
    await app.register(fastifyAdapter.oauthRoutes(verifier))
    app.get('/data', { preHandler: fastifyAdapter.authenticate(verifier) }, async () => ({ ok: true }))
    app.get('/report', { preHandler: fastifyAdapter.authenticate(verifier, { cost: 5 }) }, async () => ({ ok: true }))
    await app.ready()
    return (req, res) => app.routing(req, res)
  },
  koa: async (verifier) => {
    const data = koaAdapter.authenticate(verifier)
    const report = koaAdapter.authenticate(verifier, { cost: 5 })
    const app = new Koa().use((ctx, next) =>
      (ctx.path === '/report' ? report : data)(ctx, async () => {
        await next()
        ctx.body = { ok: true }
      }),
    )
    return app.callback()
  },
  hono: async (verifier) => {
    const app = new Hono<honoAdapter.LatchkeyEnv>()
    app.get('/data', honoAdapter.authenticate(verifier), (c) => c.json({ ok: true }))
    app.get('/report', honoAdapter.authenticate(verifier, { cost: 5 }), () => ok())
    return fetchListener(async (request) => app.fetch(request))
  },
  fetch: async (verifier) => {
    const data = fetchAdapter.withAuth(verifier, ok)
    const report = fetchAdapter.withAuth(verifier, ok, { cost: 5 })
    return fetchListener((request) => (new URL(request.url).pathname === '/report' ? report : data)(request))
  },
  next: async (verifier) => {
    // A frozen answer, as `fetch` gives back: its headers are immutable, so the fields go on a copy.
    const data = nextAdapter.withAuth(verifier, () => Response.redirect('http://127.0.0.1/elsewhere', 303))
    const report = nextAdapter.withAuth(verifier, ok, { cost: 5 })
    return fetchListener((request) => (new URL(request.url).pathname === '/report' ? report : data)(request))
  },
}

const setup = await limitedStore()
const servers = await Promise.all(Object.values(apis).map(async (api) => listen(await api(setup.verifier))))
const urls = Object.fromEntries(Object.keys(apis).map((name, index) => [name, servers[index]?.url]))
afterAll(() => Promise.all(servers.map((server) => server.close())))

describe.each(Object.keys(apis))('The %s adapter', (adapter) => {
  it("sets the RateLimit fields on the API's own answer, charges the route's cost, and leaves unlimited keys bare", async () => {
    const url = urls[adapter] as string
    const limited = await setup.key(setup.acme.id, { rateLimits: [{ count: 100, window: 60 }], credits: 6 })
    const unlimited = await setup.key(setup.acme.id)
    const first = await get(`${url}/data`, limited.basic)
    expect(first.status).toBe(adapter === 'next' ? 303 : 200)
    expect(first.headers).toEqual({
      'ratelimit-policy': '"key-100-1m";q=100;w=60',
      ratelimit: expect.stringMatching(/^"key-100-1m";r=99;t=(59|60)$/),
    })
    expect((await get(`${url}/report`, limited.basic)).status).toBe(200)
    const spent = await get(`${url}/data`, limited.basic)
    expect(spent).toMatchObject({ status: 429, error: 'credits_exhausted' })
    expect(spent.headers.ratelimit).toMatch(/^"key-100-1m";r=97;/)
    expect(await get(`${url}/data`, unlimited.basic)).toMatchObject({ headers: {} })
  })

  it('refuses a cost that is not a whole number from 1 to 1,000,000 when the route is made', () => {
    const make: Record<string, (cost: number) => unknown> = {
      express: (cost) => expressAdapter.authenticate(setup.verifier, { cost }),
      'node:http authenticate': (cost) => nodeAdapter.authenticate(setup.verifier, { cost }),
      'node:http withAuth': (cost) => nodeAdapter.withAuth(setup.verifier, () => {}, { cost }),
      fastify: (cost) => fastifyAdapter.authenticate(setup.verifier, { cost }),
      koa: (cost) => koaAdapter.authenticate(setup.verifier, { cost }),
      hono: (cost) => honoAdapter.authenticate(setup.verifier, { cost }),
      fetch: (cost) => fetchAdapter.withAuth(setup.verifier, ok, { cost }),
      next: (cost) => nextAdapter.withAuth(setup.verifier, ok, { cost }),
    }
    const route = make[adapter] as (cost: number) => unknown
    for (const cost of [0, 1.5, -1, 1_000_001, Number.NaN]) expect(() => route(cost), String(cost)).toThrow(TypeError)
    expect(() => route(1_000_000)).not.toThrow()
  })
})
