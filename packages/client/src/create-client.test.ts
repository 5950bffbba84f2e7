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
