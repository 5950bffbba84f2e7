import { formatRateLimit } from '@latchkey/verifier'
import { forwardAuthScenarios } from './forward-auth/forward-auth-scenarios.js'
import { frameworkScenarios } from './frameworks/framework-scenarios.js'
import type { Credentials, LoadRequest, Scenario } from './scenario.js'
import { basicOf } from './usage-limits/basic-header.js'
import { benchCredits, benchRateLimit } from './usage-limits/limited-keys.js'

const form = { 'content-type': 'application/x-www-form-urlencoded' }
const grant = 'grant_type=client_credentials'

/** Every scenario, in the order each round runs them. */
export function scenarios(credentials: Credentials): Scenario[] {
  const basic = (secret: string): string => basicOf({ keyId: credentials.keyId, secret })
  const { rateLimited, credits } = credentials.limitedKeys
  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
  const get = (headers: Record<string, string> = {}): LoadRequest => ({ method: 'GET', path: '/hello', headers })
  const post = (headers: Record<string, string> = {}): LoadRequest => ({
    method: 'POST',
    path: '/oauth/token',
    headers: { ...form, ...headers },
    body: grant,
  })
  const rotating: LoadRequest = { method: 'GET', path: '/hello', rotateTokens: 'valid' }
  const express = { baseline: 'express-get', expectedStatus: 200 } as const
  const node = { baseline: 'node-get', expectedStatus: 200 } as const

  return [
    { id: 'express-get', label: 'Express, no auth (baseline)', server: 'baseline', request: get(), ...express },
    {
      id: 'express-post',
      label: 'Express, form POST, no auth (POST baseline)',
      server: 'baseline',
      request: post(),
      ...express,
    },
    {
      id: 'express-noop-middleware',
      label: 'Express, a middleware that does nothing',
      server: 'noop-middleware',
      request: get(),
      ...express,
    },
    {
      id: 'express-async-noop-middleware',
      label: 'Express, an async middleware that does nothing',
      server: 'noop-middleware',
      request: { ...get(), path: '/async/hello' },
      ...express,
    },
    {
      id: 'latchkey-basic',
      label: 'Latchkey Basic (SQLite)',
      server: 'latchkey-express',
      request: get({ authorization: basic(credentials.secret) }),
      ...express,
      targets: [{ against: 'express-get', atLeast: 0.95 }],
    },
    // Issue #19: the same request by keys with usage limits, in the same process as the row above.
    {
      id: 'latchkey-basic-rate-limited',
      label: `Latchkey Basic, key rate limit ${formatRateLimit(benchRateLimit)} (in memory)`,
      server: 'latchkey-express',
      request: get({ authorization: basicOf(rateLimited) }),
      ...express,
      answerHeader: 'ratelimit',
      targets: [{ against: 'express-get', atLeast: 0.9 }],
    },
    {
      // No target: every request is one SQLite write (an UPDATE in its own transaction).
      id: 'latchkey-basic-credits',
      label: `Latchkey Basic, key with ${benchCredits.toLocaleString('en')} credits (SQLite)`,
      server: 'latchkey-express',
      request: get({ authorization: basicOf(credits) }),
      ...express,
    },
    {
      id: 'latchkey-bearer-reused',
      label: 'Latchkey Bearer, reused token',
      server: 'latchkey-express',
      request: get(bearer(credentials.token)),
      ...express,
      targets: [{ against: 'express-get', atLeast: 0.95 }],
    },
    {
      id: 'latchkey-bearer-new',
      label: 'Latchkey Bearer, every token new',
      server: 'latchkey-express',
      request: rotating,
      ...express,
      targets: [{ against: 'jose-jwt-verify', atLeast: 1 }],
    },
    {
      id: 'latchkey-wrong-secret',
      label: 'Latchkey Basic, wrong secret (401)',
      server: 'latchkey-express',
      request: get({ authorization: basic(credentials.wrongSecret) }),
      baseline: 'express-get',
      expectedStatus: 401,
      targets: [{ against: 'express-get', atLeast: 0.9 }],
    },
    {
      id: 'latchkey-forged',
      label: 'Latchkey Bearer, forged signature (401)',
      server: 'latchkey-express',
      request: get(bearer(credentials.forgedToken)),
      baseline: 'express-get',
      expectedStatus: 401,
      targets: [{ against: 'express-get', atLeast: 0.9 }],
    },
    {
      id: 'latchkey-wrong-secret-throttled',
      label: 'Latchkey Basic, wrong secret, default throttle (429)',
      server: 'latchkey-express-defaults',
      request: get({ authorization: basic(credentials.wrongSecret) }),
      baseline: 'express-get',
      expectedStatus: 429,
      firstStatus: 401,
    },
    {
      id: 'latchkey-forged-flood',
      label: 'Latchkey Bearer, every token a new forgery, default throttle (429)',
      server: 'latchkey-express-defaults',
      request: { ...rotating, rotateTokens: 'forged' },
      baseline: 'express-get',
      expectedStatus: 429,
      firstStatus: 401,
    },
    {
      id: 'latchkey-token',
      label: 'Latchkey token endpoint (EdDSA JWT)',
      server: 'latchkey-express',
      request: post({ authorization: basic(credentials.secret) }),
      baseline: 'express-post',
      expectedStatus: 200,
      targets: [
        { against: 'express-post', atLeast: 0.6 },
        { against: 'oidc-provider-token', atLeast: 1 },
      ],
    },
    {
      id: 'express-basic-auth',
      label: 'express-basic-auth (plain-text secret)',
      server: 'express-basic-auth',
      request: get({ authorization: basic(credentials.secret) }),
      ...express,
    },
    {
      id: 'passport-http',
      label: 'passport-http Basic (SHA-256 hash)',
      server: 'passport-http',
      request: get({ authorization: basic(credentials.secret) }),
      ...express,
    },
    {
      id: 'oauth2-jwt-bearer',
      label: 'express-oauth2-jwt-bearer, EdDSA',
      server: 'oauth2-jwt-bearer',
      request: rotating,
      ...express,
    },
    {
      id: 'jose-jwt-verify',
      label: 'jose jwtVerify alone, EdDSA',
      server: 'jose-jwt-verify',
      request: rotating,
      ...express,
    },
    {
      id: 'node-oauth2-server',
      label: '@node-oauth/oauth2-server authenticate() (opaque)',
      server: 'node-oauth2-server',
      request: get(bearer(credentials.opaqueToken)),
      ...express,
    },
    {
      id: 'node-oauth2-server-token',
      label: '@node-oauth/oauth2-server token endpoint (opaque)',
      server: 'node-oauth2-server',
      request: post({ authorization: basic(credentials.secret) }),
      baseline: 'express-post',
      expectedStatus: 200,
    },
    {
      id: 'oidc-provider-token',
      label: 'oidc-provider token endpoint (EdDSA JWT)',
      server: 'oidc-provider',
      request: { ...post({ authorization: basic(credentials.secret) }), path: '/token' },
      baseline: 'express-post',
      expectedStatus: 200,
    },
    { id: 'node-get', label: 'node:http, no auth (baseline)', server: 'node-http-baseline', request: get(), ...node },
    {
      id: 'node-post',
      label: 'node:http, form POST, no auth (POST baseline)',
      server: 'node-http-baseline',
      request: post(),
      ...node,
    },
    {
      id: 'fetch-basic',
      label: 'Fetch adapter on node:http, Basic',
      server: 'latchkey-fetch',
      request: get({ authorization: basic(credentials.secret) }),
      ...node,
    },
    {
      id: 'fetch-bearer-reused',
      label: 'Fetch adapter on node:http, Bearer reused',
      server: 'latchkey-fetch',
      request: get(bearer(credentials.token)),
      ...node,
    },
    {
      id: 'fetch-bearer-new',
      label: 'Fetch adapter on node:http, every token new',
      server: 'latchkey-fetch',
      request: rotating,
      ...node,
    },
    {
      id: 'fetch-token',
      label: 'Fetch adapter on node:http, token endpoint',
      server: 'latchkey-fetch',
      request: post({ authorization: basic(credentials.secret) }),
      baseline: 'node-post',
      expectedStatus: 200,
    },
    ...forwardAuthScenarios(basic(credentials.secret)),
    ...frameworkScenarios(credentials),
  ]
}
