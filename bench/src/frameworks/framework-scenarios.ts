import type { Credentials, LoadRequest, Scenario, ServerName } from '../scenario.js'
import { basicOf } from '../usage-limits/basic-header.js'

/** A framework of the frameworks table: its name and its no-auth baselines, the heads of its rows. */
export interface Framework {
  readonly name: string
  /** The ids of its no-auth GET and POST baselines, every row of its own measured against one of them. */
  readonly baselines: readonly [get: string, post: string]
}

/** The frameworks of `bench:frameworks`, in the table's order. */
export const frameworks: readonly Framework[] = [
  { name: 'Fastify 5', baselines: ['fastify-get', 'fastify-post'] },
  { name: 'node:http', baselines: ['node-get', 'node-post'] },
  { name: 'Hono 4 on @hono/node-server', baselines: ['hono-get', 'hono-post'] },
]

type FrameworkId = 'fastify' | 'node' | 'hono'

/** The plain-text Basic compare each framework's Latchkey process serves beside Latchkey, at `/plain/hello`. */
const plainPeers: Record<FrameworkId, string> = {
  fastify: '@fastify/basic-auth',
  node: 'the basic-auth module',
  hono: 'hono/basic-auth with verifyUser',
}

/**
 * The judged figure of every Latchkey Basic and Bearer-reused row: no more CPU than a plain-text compare
 * served by the same process. Two processes of the same code differ by more on this VM (several µs per
 * request) than the few µs judged, so the peer is measured where Latchkey is.
 */
const plainCompare = (framework: FrameworkId) =>
  [{ against: `${framework}-latchkey-plain-compare`, addedCpuAtMost: 1 }] as const
/** The judged figure of every "every token new" row: at most 1.2 × fast-jwt's verification of the same tokens. */
const primitive = [{ against: 'fast-jwt-verify', addedCpuAtMost: 1.2 }] as const

/**
 * Issue #22: Latchkey on Fastify, `node:http` and Hono beside each framework's own no-auth baselines,
 * its do-nothing middleware and the peers its users pick. On these frameworks the load generator bounds
 * req/s, so the rows are judged on the server CPU per request each adds over its own process's no-auth
 * route, against what a peer adds over its own (`CpuTarget`). The `node:http` baselines (`node-get`,
 * `node-post`) are the load table's; every other row is printed in the frameworks table.
 */
export function frameworkScenarios(credentials: Credentials): Scenario[] {
  const basic = { authorization: basicOf(credentials) }
  const reused = { authorization: `Bearer ${credentials.token}` }
  const get = (path: string, headers: Record<string, string> = {}): LoadRequest => ({ method: 'GET', path, headers })
  const rotating = (path: string): LoadRequest => ({ method: 'GET', path, rotateTokens: 'valid' })
  const post = (headers: Record<string, string> = {}): LoadRequest => ({
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: 'grant_type=client_credentials',
  })
  const on = (framework: FrameworkId) =>
    ({ baseline: `${framework}-get`, expectedStatus: 200, table: 'frameworks' }) as const
  /**
   * Latchkey's rows on one framework's server: the plain-text compare beside it, Basic, Bearer reused, every
   * token new, the token endpoint.
   */
  const latchkey = (framework: FrameworkId, name: string, server: ServerName): Scenario[] => [
    {
      id: `${framework}-latchkey-plain-compare`,
      label: `${name}, plain-text Basic compare (${plainPeers[framework]}) in the Latchkey process`,
      server,
      request: get('/plain/hello', basic),
      ...on(framework),
    },
    {
      id: `${framework}-latchkey-basic`,
      label: `${name}, Latchkey Basic (SQLite)`,
      server,
      request: get('/hello', basic),
      ...on(framework),
      targets: plainCompare(framework),
    },
    {
      id: `${framework}-latchkey-bearer-reused`,
      label: `${name}, Latchkey Bearer, reused token`,
      server,
      request: get('/hello', reused),
      ...on(framework),
      targets: plainCompare(framework),
    },
    {
      id: `${framework}-latchkey-bearer-new`,
      label: `${name}, Latchkey Bearer, every token new`,
      server,
      request: rotating('/hello'),
      ...on(framework),
      targets: primitive,
    },
    {
      id: `${framework}-latchkey-token`,
      label: `${name}, Latchkey token endpoint (EdDSA JWT)`,
      server,
      request: post(basic),
      ...on(framework),
      baseline: `${framework}-post`,
    },
  ]
  const fastify = on('fastify')
  const hono = on('hono')
  return [
    {
      id: 'fastify-get',
      label: 'Fastify, no auth (baseline)',
      server: 'fastify-baseline',
      request: get('/hello'),
      ...fastify,
    },
    {
      id: 'fastify-post',
      label: 'Fastify, form POST, no auth (POST baseline)',
      server: 'fastify-baseline',
      request: post(),
      ...fastify,
      baseline: 'fastify-post',
    },
    {
      id: 'fastify-noop',
      label: 'Fastify, an async preHandler that does nothing',
      server: 'fastify-baseline',
      request: get('/noop/hello'),
      ...fastify,
    },
    {
      id: 'fastify-basic-auth',
      label: 'Fastify, @fastify/basic-auth, plain-text compare, in its own process',
      server: 'fastify-basic-auth',
      request: get('/hello', basic),
      ...fastify,
    },
    {
      id: 'fastify-basic-auth-sha256',
      label: 'Fastify, @fastify/basic-auth, SHA-256 + timingSafeEqual over a Map',
      server: 'fastify-basic-auth',
      request: get('/sha256/hello', basic),
      ...fastify,
    },
    {
      id: 'fastify-jwt-reused',
      label: 'Fastify, @fastify/jwt without cache, reused token',
      server: 'fastify-jwt',
      request: get('/hello', reused),
      ...fastify,
    },
    {
      id: 'fastify-jwt-new',
      label: 'Fastify, @fastify/jwt without cache, every token new',
      server: 'fastify-jwt',
      request: rotating('/hello'),
      ...fastify,
    },
    {
      id: 'fastify-jwt-cached-reused',
      label: 'Fastify, @fastify/jwt with its cache, reused token',
      server: 'fastify-jwt',
      request: get('/cached/hello', reused),
      ...fastify,
    },
    {
      id: 'fastify-jwt-cached-new',
      label: 'Fastify, @fastify/jwt with its cache, every token new',
      server: 'fastify-jwt',
      request: rotating('/cached/hello'),
      ...fastify,
    },
    ...latchkey('fastify', 'Fastify', 'fastify-latchkey'),
    ...latchkey('node', 'node:http', 'node-latchkey'),
    {
      id: 'fast-jwt-verify',
      label: 'node:http, fast-jwt verifier alone without cache, EdDSA, every token new',
      server: 'fast-jwt-verify',
      request: rotating('/hello'),
      ...on('node'),
    },
    { id: 'hono-get', label: 'Hono, no auth (baseline)', server: 'hono-baseline', request: get('/hello'), ...hono },
    {
      id: 'hono-post',
      label: 'Hono, form POST, no auth (POST baseline)',
      server: 'hono-baseline',
      request: post(),
      ...hono,
      baseline: 'hono-post',
    },
    {
      id: 'hono-noop',
      label: 'Hono, an async middleware that only awaits next()',
      server: 'hono-baseline',
      request: get('/noop/hello'),
      ...hono,
    },
    {
      id: 'hono-basic-auth',
      label: 'Hono, hono/basic-auth',
      server: 'hono-peers',
      request: get('/hello', basic),
      ...hono,
    },
    {
      id: 'hono-jwt',
      label: 'Hono, hono/jwt, EdDSA, reused token',
      server: 'hono-peers',
      request: get('/jwt/hello', reused),
      ...hono,
    },
    {
      id: 'hono-jwt-new',
      label: 'Hono, hono/jwt, EdDSA, every token new',
      server: 'hono-peers',
      request: rotating('/jwt/hello'),
      ...hono,
    },
    ...latchkey('hono', 'Hono', 'hono-latchkey'),
  ]
}

/**
 * The ids a run measures when it is not given `--only`: the frameworks table's rows with `--frameworks`
 * (`bench:frameworks`), every other row without it, so that `pnpm bench` stays under its 10 minutes. No
 * no-auth reference: each comes with the rows measured against it.
 */
export function defaultRunIds(scenarios: readonly Scenario[], frameworksRun: boolean): string[] {
  return scenarios
    .filter((scenario) => !scenario.reference && (scenario.table === 'frameworks') === frameworksRun)
    .map(({ id }) => id)
}
