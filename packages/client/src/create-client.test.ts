import { describe, expect, it } from 'vitest'
import type { ClientOptions } from './client-options.js'
import { createClient } from './create-client.js'
import type { AuthRetryEvent } from './hooks.js'

const API = 'https://api.test'
const apiKey = { id: 'lk_unit', secret: 'lksecret_unit' }

/** A fetch that issues tokens `t1`, `t2`… and answers API calls with `status(call)`; it records what it was given. */
function stubFetch(status: (call: number) => number = () => 200) {
  const api: { input: unknown; headers: Headers; method: string }[] = []
  let tokens = 0
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    if (url === `${API}/oauth/token`) {
      return Response.json({ access_token: `t${++tokens}`, token_type: 'Bearer', expires_in: 3600 })
    }
    const request = new Request(input, init)
    api.push({ input, headers: request.headers, method: request.method })
    return new Response(null, { status: status(api.length) })
  }
  return { fetch, api }
}

function client(fetch: typeof globalThis.fetch, options: Partial<ClientOptions> = {}) {
  return createClient({ baseUrl: API, apiKey, fetch, ...options })
}

describe('client.fetch', () => {
  it('sends a cached token as fetch(url, init), the way a plain call is made, with no Request built', async () => {
    const stub = stubFetch()
    const api = client(stub.fetch)
    await api.getToken()
    await api.fetch('/things?a=1', { headers: { accept: 'application/json' } })
    expect(stub.api[0]?.input).toBe(`${API}/things?a=1`)
    expect(stub.api[0]?.headers.get('authorization')).toBe('Bearer t1')
    expect(stub.api[0]?.headers.get('accept')).toBe('application/json')
  })

  it('authenticates a Request input, keeping its method and headers', async () => {
    const stub = stubFetch()
    const api = client(stub.fetch)
    const input = new Request(`${API}/things`, { method: 'PUT', headers: { authorization: 'Bearer old', 'x-a': '1' } })
    expect((await api.fetch(input, { body: 'x' })).status).toBe(200)
    expect(stub.api[0]?.input).toBeInstanceOf(Request)
    expect(stub.api[0]?.method).toBe('PUT')
    expect(stub.api[0]?.headers.get('authorization')).toBe('Bearer t1')
    expect(stub.api[0]?.headers.get('x-a')).toBe('1')
  })

  it.each([
    ['a URL', (path: string) => `${API}${path}`],
    ['a Request', (path: string) => new Request(`${API}${path}`, { method: 'post', body: 'x' })],
  ])('retries a 401 to %s once with a new token and reports the method as sent', async (_, input) => {
    const retries: AuthRetryEvent[] = []
    const stub = stubFetch((call) => (call === 1 ? 401 : 200))
    const api = client(stub.fetch, { hooks: { onAuthRetry: (event) => retries.push(event) } })
    const response = await api.fetch(input('/things?q=secret'), { method: 'post', body: 'x' })
    expect(response.status).toBe(200)
    expect(stub.api.map((call) => call.headers.get('authorization'))).toEqual(['Bearer t1', 'Bearer t2'])
    expect(retries).toEqual([{ method: 'POST', url: `${API}/things`, reusedNewerToken: false }])
  })

  it('refuses a relative URL without baseUrl and plain http to another host, before any request', async () => {
    const stub = stubFetch()
    const api = createClient({ apiKey, tokenUrl: `${API}/oauth/token`, fetch: stub.fetch })
    await expect(api.fetch('/things')).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' })
    await expect(api.fetch('http://api.test/things')).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' })
    expect(stub.api).toHaveLength(0)
  })

  it('sends Basic credentials on URL and Request inputs in Basic mode', async () => {
    const stub = stubFetch()
    const api = client(stub.fetch, { mode: 'basic' })
    await api.fetch('/things', { scope: 'ignored' })
    await api.fetch(new Request(`${API}/things`))
    expect(stub.api.map((call) => call.headers.get('authorization'))).toEqual([
      `Basic ${btoa('lk_unit:lksecret_unit')}`,
      `Basic ${btoa('lk_unit:lksecret_unit')}`,
    ])
  })

  it('rejects, never throws, once closed', async () => {
    const api = client(stubFetch().fetch)
    await api.close()
    const call = api.fetch('/things')
    await expect(call).rejects.toMatchObject({ code: 'ERR_CLOSED' })
  })
})

describe('revocationUrl', () => {
  /** A fetch that issues a token at any `…/token` URL and records where everything else was posted. */
  function revocationFetch() {
    const posted: string[] = []
    const fetch: typeof globalThis.fetch = async (input) => {
      const url = String(input)
      if (new URL(url).pathname.endsWith('/token'))
        return Response.json({ access_token: 't1', token_type: 'Bearer', expires_in: 60 })
      posted.push(url)
      return new Response(null, { status: 200 })
    }
    return { fetch, posted }
  }

  it.each([
    [{ tokenUrl: 'https://auth.example.com/oauth/token' }, 'https://auth.example.com/oauth/revoke'],
    [{ tokenUrl: 'https://auth.example.com/tenant/v1/token?x=1' }, 'https://auth.example.com/tenant/v1/revoke'],
    [{ baseUrl: 'https://api.example.com' }, 'https://api.example.com/oauth/revoke'],
    [{ baseUrl: 'https://api.example.com/tenant/' }, 'https://api.example.com/tenant/oauth/revoke'],
    [{ baseUrl: API, revocationUrl: 'https://auth.example.com/revocations' }, 'https://auth.example.com/revocations'],
  ])('with %o, revokes at %s', async (urls, expected) => {
    const stub = revocationFetch()
    const api = createClient({ apiKey, fetch: stub.fetch, ...urls })
    await api.getToken()
    await api.revoke()
    expect(stub.posted).toEqual([expected])
  })

  it('is checked at createClient like tokenUrl: https, or http to loopback or with allowInsecureHttp', () => {
    const create = (options: Partial<ClientOptions>) => () => createClient({ apiKey, baseUrl: API, ...options })
    const invalid = expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' })
    expect(create({ revocationUrl: 'http://auth.example.com/oauth/revoke' })).toThrow(invalid)
    expect(create({ revocationUrl: 'http://auth.example.com/oauth/revoke' })).toThrow(/^revocationUrl uses plain http/)
    expect(create({ revocationUrl: 'ftp://auth.example.com/revoke' })).toThrow(invalid)
    expect(create({ revocationUrl: '/oauth/revoke' })).toThrow(/^revocationUrl must be an absolute URL/)
    expect(create({ revocationUrl: 'http://127.0.0.1:8080/oauth/revoke' })).not.toThrow()
    expect(create({ revocationUrl: 'http://auth.internal/revoke', allowInsecureHttp: true })).not.toThrow()
    // Basic mode has no tokens to revoke: the option is not used, so not checked.
    expect(create({ mode: 'basic', revocationUrl: 'http://auth.example.com/revoke' })).not.toThrow()
  })

  it('refuses credentials in the token or revocation URL, without repeating them', () => {
    for (const options of [
      { baseUrl: API, revocationUrl: 'https://user:pa55word@auth.example.com/oauth/revoke' },
      { tokenUrl: 'https://user:pa55word@auth.example.com/oauth/token' },
      { baseUrl: 'https://user:pa55word@api.example.com' },
    ]) {
      const create = () => createClient({ apiKey, ...options })
      expect(create).toThrow(/holds credentials \(user:password@\)/)
      expect(create).not.toThrow(/pa55word/)
    }
  })
})
