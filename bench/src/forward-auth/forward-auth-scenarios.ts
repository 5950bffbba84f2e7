import type { Scenario } from '../scenario.js'

/**
 * nginx in front of a `node:http` backend: without authentication, with `auth_request` to an endpoint
 * that always answers 200 (the floor: what any `auth_request` costs), and with `latchkey serve`
 * deciding, through the config docs/gateway.md shows. Latchkey is judged against the floor, round by
 * round: the same nginx config and backend, only the decision differs.
 */
export function forwardAuthScenarios(basic: string): Scenario[] {
  const forwardAuth = {
    request: { method: 'GET', path: '/hello' },
    expectedStatus: 200,
    baseline: 'nginx-no-auth',
    table: 'forward-auth',
  } as const
  const latchkey = {
    ...forwardAuth,
    server: 'nginx-latchkey',
    sameProcess: 'nginx-auth-floor',
    targets: [{ against: 'nginx-auth-floor', atLeast: 0.9 }],
  } as const
  return [
    {
      ...forwardAuth,
      id: 'nginx-no-auth',
      label: 'nginx → node:http, no auth (forward-auth baseline)',
      server: 'nginx-no-auth',
      sameProcess: 'nginx-no-auth',
    },
    {
      ...forwardAuth,
      id: 'nginx-auth-floor',
      label: 'nginx auth_request to an always-200 endpoint (floor)',
      server: 'nginx-auth-floor',
      sameProcess: 'nginx-auth-floor',
    },
    {
      ...latchkey,
      id: 'nginx-latchkey-basic',
      label: 'nginx auth_request to latchkey serve, Basic',
      request: { ...forwardAuth.request, headers: { authorization: basic } },
    },
    {
      ...latchkey,
      id: 'nginx-latchkey-bearer-reused',
      label: 'nginx auth_request to latchkey serve, Bearer reused',
      request: { ...forwardAuth.request, issuedToken: true },
    },
  ]
}
