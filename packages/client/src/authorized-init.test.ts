import { describe, expect, it } from 'vitest'
import { authorizedInit, requestMethod } from './authorized-init.js'

const headersOf = (init: RequestInit) => new Headers(init.headers)

describe('the init sent with an authorized call', () => {
  it('adds the Authorization header to a call without init or without headers', () => {
    expect(headersOf(authorizedInit(undefined, 'Bearer t')).get('authorization')).toBe('Bearer t')
    const init = authorizedInit({ method: 'POST', body: 'x' }, 'Bearer t')
    expect(init).toMatchObject({ method: 'POST', body: 'x' })
    expect(headersOf(init).get('authorization')).toBe('Bearer t')
  })

  it.each([
    ['a record', { Authorization: 'Bearer theirs', accept: 'text/plain' }],
    [
      'an array',
      [
        ['AUTHORIZATION', 'Bearer theirs'],
        ['accept', 'text/plain'],
      ] as [string, string][],
    ],
    ['a Headers', new Headers({ authorization: 'Bearer theirs', accept: 'text/plain' })],
  ])("replaces the caller's Authorization in %s, keeping its other headers", (_, headers) => {
    const sent = headersOf(authorizedInit({ headers }, 'Bearer ours'))
    expect(sent.get('authorization')).toBe('Bearer ours')
    expect(sent.get('accept')).toBe('text/plain')
  })

  it("never changes the caller's init or headers", () => {
    const headers = new Headers({ accept: 'text/plain' })
    const init = { headers, scope: 'read' }
    authorizedInit(init, 'Bearer t')
    expect(init).toEqual({ headers, scope: 'read' })
    expect(headers.has('authorization')).toBe(false)
  })

  it('leaves the client-only scope option out', () => {
    expect(authorizedInit({ scope: 'read', method: 'GET' }, 'Bearer t')).not.toHaveProperty('scope')
  })

  it('names the method as a Request would', () => {
    expect(requestMethod(undefined)).toBe('GET')
    expect(requestMethod('post')).toBe('POST')
    expect(requestMethod('patch')).toBe('patch')
    expect(requestMethod('PROPFIND')).toBe('PROPFIND')
  })
})
