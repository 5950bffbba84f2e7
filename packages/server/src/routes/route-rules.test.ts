import { describe, expect, it } from 'vitest'
import { DEFAULT_ROUTE_AUTH, type RouteRule, routeAuthFor, rulePattern } from './route-rules.js'

const write = { kind: 'required', scopes: ['write'] } as const
const rules: RouteRule[] = [
  { method: 'GET', path: '/public/*', auth: { kind: 'none' } },
  { method: 'GET', path: '/health', auth: { kind: 'none' } },
  { method: 'POST', path: '/api/*', auth: write },
  { method: '*', path: '/api/*', auth: { kind: 'required', scopes: ['read'] } },
]

describe('routeAuthFor', () => {
  it.each([
    ['GET', '/public/', { kind: 'none' }],
    ['GET', '/public/a/b', { kind: 'none' }],
    ['GET', '/public', DEFAULT_ROUTE_AUTH],
    ['GET', '/publicity', DEFAULT_ROUTE_AUTH],
    ['HEAD', '/public/a', DEFAULT_ROUTE_AUTH],
    ['GET', '/Public/a', DEFAULT_ROUTE_AUTH],
    ['GET', '/health', { kind: 'none' }],
    ['GET', '/health/', DEFAULT_ROUTE_AUTH],
    ['POST', '/api/keys', write],
    ['DELETE', '/api/keys', { kind: 'required', scopes: ['read'] }],
    ['post', '/api/keys', { kind: 'required', scopes: ['read'] }],
    ['GET', '/admin', DEFAULT_ROUTE_AUTH],
  ])('%s %s: the first rule that matches decides', (method, path, auth) => {
    expect(routeAuthFor(rules, method, path)).toEqual(auth)
  })

  it('needs valid credentials and no scope when no rule matches', () => {
    expect(routeAuthFor([], 'GET', '/')).toEqual({ kind: 'required', scopes: [] })
  })
})

describe('rulePattern', () => {
  it.each([
    ['/public/*', '/public/*'],
    ['/*', '/*'],
    ['/api/keys', '/api/keys'],
    ['/café/*', '/caf%C3%A9/*'],
  ])('keeps %s as %s', (path, pattern) => {
    expect(rulePattern(path)).toEqual({ pattern })
  })

  it.each([
    ['/public*', 'a "*" may only end a path'],
    ['/a/*/b', 'a "*" may only end a path'],
    ['api/*', 'not a plain absolute path (not origin form)'],
    ['/a//b', 'write it as "/a/b"'],
    ['/a/../b/*', 'write it as "/b/*"'],
    ['/%7Euser', 'write it as "/~user"'],
    ['/api?x=1', 'no query or fragment'],
    ['/a%2Fb', 'encoded separator'],
    ['/\ud800', 'surrogate'],
  ])('refuses %j, saying %s', (path, problem) => {
    expect(rulePattern(path)).toEqual({ problem: expect.stringContaining(problem) })
  })
})
