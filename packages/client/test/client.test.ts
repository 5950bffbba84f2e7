import { HttpResponse, http } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createClient, isLatchkeyClientError, type LatchkeyClientError, MemoryTokenStore } from '../src/index.js'
import { FakeClock } from './fake-clock.js'
import { API, createScenario, RESOURCE_URL, TOKEN_URL, tokenHandler, tokenResponse } from './handlers.js'

const scenario = createScenario()
const { server, traffic } = scenario
let key: { id: string; secret: string }

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' })
  key = await scenario.createKey(['read', 'write'])
})
afterEach(() => {
  server.resetHandlers()
  scenario.reset()
  scenario.serverTime = Date.now()
})
afterAll(() => server.close())

function client(options: Partial<Parameters<typeof createClient>[0]> = {}) {
  return createClient({ baseUrl: API, apiKey: key, ...options })
}

async function caught(promise: Promise<unknown>): Promise<LatchkeyClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isLatchkeyClientError(error)) throw new Error(`Expected a LatchkeyClientError, got ${String(error)}`)
  return error
}

describe('client credentials against the verifier', () => {
  it('gets a token with client_secret_basic and calls the API with it', async () => {
    const api = client({ scope: 'read' })
    const response = await api.fetch('/api/test')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ keyId: key.id, method: 'bearer' })
    expect(traffic.token).toHaveLength(1)
    const tokenRequest = traffic.token[0] as Request
    expect(tokenRequest.headers.get('authorization')).toMatch(/^Basic /)
    expect(tokenRequest.redirect).toBe('manual')
    const form = new URLSearchParams(await tokenRequest.text())
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', scope: 'read' })
    expect(traffic.api[0]?.headers.get('authorization')).toMatch(/^Bearer /)
  })

  it('gets a token with client_secret_post when asked to', async () => {
    const api = client({ clientAuthentication: 'client_secret_post' })
    expect((await api.fetch('/api/test')).status).toBe(200)
    const tokenRequest = traffic.token[0] as Request
    expect(tokenRequest.headers.get('authorization')).toBeNull()
    const form = new URLSearchParams(await tokenRequest.text())
    expect(form.get('client_id')).toBe(key.id)
    expect(form.get('client_secret')).toBe(key.secret)
  })

  it('sends resource and audience, which the verifier checks against its issuer', async () => {
    expect((await client({ resource: API }).fetch('/api/test')).status).toBe(200)
    const wrong = await caught(client({ resource: 'https://elsewhere.test' }).getToken())
    expect(wrong.code).toBe('ERR_OAUTH')
    expect(wrong.oauthError).toBe('invalid_target')
    await client({ audience: 'https://aud.test' }).getToken()
    expect(new URLSearchParams(await (traffic.token.at(-1) as Request).text()).get('audience')).toBe('https://aud.test')
  })

  it('works with only tokenUrl, apiKey and scope, the acceptance call', async () => {
    const api = createClient({ tokenUrl: TOKEN_URL, apiKey: key, scope: 'read' })
    expect((await api.fetch(RESOURCE_URL)).status).toBe(200)
  })

  it('reuses the cached token for later calls', async () => {
    const api = client()
    for (let i = 0; i < 5; i++) expect((await api.fetch('/api/test')).status).toBe(200)
    expect(traffic.token).toHaveLength(1)
    expect(traffic.api).toHaveLength(5)
  })

  it('caches per scope set: a read token is never sent for a write call, and scope order does not matter', async () => {
    const api = client({ scope: 'read' })
    const read = await api.getToken()
    const write = await api.getToken({ scope: 'write read' })
    expect(write).not.toBe(read)
    expect(await api.getToken({ scope: ['read', 'write', 'read'] })).toBe(write)
    expect(await api.getToken()).toBe(read)
    expect(traffic.token).toHaveLength(2)
    const response = await api.fetch('/api/test', { method: 'POST', scope: 'read write' })
    expect(response.status).toBe(200)
    expect(traffic.token).toHaveLength(2)
  })

  it('returns a 403 as is, without a refresh or a retry', async () => {
    const api = client({ scope: 'read' })
    const response = await api.fetch('/api/test', { method: 'POST', body: 'x' })
    expect(response.status).toBe(403)
    expect(traffic.token).toHaveLength(1)
    expect(traffic.api).toHaveLength(1)
  })

  it('refreshes once and retries once when the API refuses an expired token', async () => {
    const retries: unknown[] = []
    const reasons: string[] = []
    const api = client({
      hooks: { onAuthRetry: (event) => retries.push(event), onTokenRequest: (event) => reasons.push(event.reason) },
    })
    await api.getToken()
    // The server's clock passes the token's expiry; the client's does not know.
    scenario.serverTime += 2 * 3600_000
    const response = await api.fetch('/api/test', { method: 'POST', body: JSON.stringify({ a: 1 }) })
    expect(response.status).toBe(200)
    expect(traffic.token).toHaveLength(2)
    expect(traffic.api).toHaveLength(2)
    expect(await traffic.api[1]?.text()).toBe('{"a":1}')
    expect(retries).toEqual([{ method: 'POST', url: RESOURCE_URL, reusedNewerToken: false }])
    expect(reasons).toEqual(['initial', 'invalidated'])
  })

  it('after revocation, refreshes once, then surfaces invalid_client without looping', async () => {
    const revoked = await scenario.createKey()
    const api = client({ apiKey: revoked })
    expect((await api.fetch('/api/test')).status).toBe(200)
    await scenario.manager.revokeApiKey(revoked.id)
    scenario.reset()
    const error = await caught(api.fetch('/api/test'))
    expect(error.code).toBe('ERR_OAUTH')
    expect(error.oauthError).toBe('invalid_client')
    expect(error.status).toBe(401)
    expect(error.message).toMatch(/revoked or disabled/)
    // 401 → one token request refused (never retried) → no second API call.
    expect(traffic.api).toHaveLength(1)
    expect(traffic.token).toHaveLength(1)
  })

  it('returns a second 401 as is: two token requests, two API calls, no loop', async () => {
    server.use(
      http.get(RESOURCE_URL, ({ request }) => {
        traffic.api.push(request)
        return new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } })
      }),
    )
    const response = await client().fetch('/api/test')
    expect(response.status).toBe(401)
    expect(traffic.token).toHaveLength(2)
    expect(traffic.api).toHaveLength(2)
  })

  it('retries with a token another caller already refreshed, without a token request', async () => {
    const retries: { reusedNewerToken: boolean }[] = []
    const api = client({ hooks: { onAuthRetry: (event) => retries.push(event) } })
    const first = await api.getToken()
    let calls = 0
    server.use(
      http.get(RESOURCE_URL, async ({ request }) => {
        traffic.api.push(request)
        if (++calls === 1) {
          // While this request is in flight, someone else refreshes the token.
          scenario.serverTime += 1000
          await api.getToken({ forceRefresh: true })
          return new HttpResponse(null, { status: 401 })
        }
        return HttpResponse.json({ ok: true })
      }),
    )
    const response = await api.fetch('/api/test')
    expect(response.status).toBe(200)
    expect(traffic.token).toHaveLength(2)
    expect(traffic.api[0]?.headers.get('authorization')).toBe(`Bearer ${first}`)
    expect(traffic.api[1]?.headers.get('authorization')).not.toBe(`Bearer ${first}`)
    expect(retries).toMatchObject([{ reusedNewerToken: true }])
  })

  it('never retries a stream body: its 401 is a typed error and the stream is sent once', async () => {
    const api = client()
    await api.getToken()
    scenario.serverTime += 2 * 3600_000
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'))
        controller.close()
      },
    })
    const error = await caught(api.fetch('/api/test', { method: 'POST', body, duplex: 'half' } as RequestInit))
    expect(error.code).toBe('ERR_AUTH_RETRY_NOT_POSSIBLE')
    expect(error.status).toBe(401)
    expect(traffic.api).toHaveLength(1)
    // The refused token was dropped: the next call gets a new one.
    expect((await api.fetch('/api/test')).status).toBe(200)
    expect(traffic.token).toHaveLength(2)
  })

  it('does not intercept the token request itself: a 401 there is invalid_client, not an API retry', async () => {
    const api = client({ apiKey: { id: key.id, secret: 'lksecret_wrong' } })
    const error = await caught(api.fetch('/api/test'))
    expect(error.oauthError).toBe('invalid_client')
    expect(traffic.token).toHaveLength(1)
    expect(traffic.api).toHaveLength(0)
  })
})

describe('expiry, refresh and single flight', () => {
  it('serves a fresh token, serves a stale one while one background refresh runs, and waits once expired', async () => {
    const clock = new FakeClock()
    const reasons: string[] = []
    const api = client({ clock, hooks: { onTokenRequest: (event) => reasons.push(event.reason) } })
    // Lifetime 3600 s: skew 30 s, refresh window 60 s.
    const first = await api.getToken()
    clock.advance(3600_000 - 95_000)
    expect(await api.getToken()).toBe(first)
    expect(traffic.token).toHaveLength(1)
    clock.advance(10_000) // 85 s before expiry: stale
    scenario.serverTime += 1000 // tokens issued in the same second are identical
    expect(await api.getToken()).toBe(first)
    await expect.poll(() => api.getToken()).not.toBe(first)
    const second = await api.getToken()
    expect(reasons).toEqual(['initial', 'stale'])
    clock.advance(3600_000 - 10_000) // past expiry minus skew
    scenario.serverTime += 1000
    const third = await api.getToken()
    expect(third).not.toBe(second)
    expect(reasons).toEqual(['initial', 'stale', 'expired'])
  })

  it('counts expiry from when the request was sent, not when the answer arrived', async () => {
    const clock = new FakeClock()
    server.use(
      tokenHandler(traffic, async () => {
        clock.advance(20_000) // a slow server
        return tokenResponse({ access_token: `t${traffic.token.length}`, expires_in: 120 })
      }),
    )
    const api = client({ clock, expirySkew: 0, refreshWindow: 0 })
    expect(await api.getToken()).toBe('t1')
    clock.advance(99_000) // 119 s after sending
    expect(await api.getToken()).toBe('t1')
    clock.advance(1_000) // 120 s after sending
    expect(await api.getToken()).toBe('t2')
  })

  it.each([
    ['missing', undefined],
    ['zero', 0],
    ['negative', -5],
    ['not a number', 'soon'],
    ['NaN-like', 'NaN'],
    ['an object', { seconds: 60 }],
  ])('uses the short default lifetime when expires_in is %s', async (_, expiresIn) => {
    const clock = new FakeClock()
    server.use(
      tokenHandler(traffic, () => tokenResponse({ access_token: `t${traffic.token.length}`, expires_in: expiresIn })),
    )
    const events: { expiresIn: number; expiresInDefaulted: boolean }[] = []
    const api = client({ clock, defaultTokenLifetime: 60_000, hooks: { onTokenResponse: (e) => events.push(e) } })
    expect(await api.getToken()).toBe('t1')
    expect(events[0]).toMatchObject({ expiresIn: 60, expiresInDefaulted: true })
    clock.advance(60_000)
    expect(await api.getToken()).toBe('t2')
  })

  it('accepts expires_in as a string of digits and clamps huge values', async () => {
    const events: number[] = []
    server.use(
      tokenHandler(traffic, () => tokenResponse({ expires_in: traffic.token.length === 1 ? '120' : 10 ** 12 })),
    )
    const api = client({ hooks: { onTokenResponse: (e) => events.push(e.expiresIn) } })
    await api.getToken()
    await api.getToken({ forceRefresh: true })
    expect(events).toEqual([120, 86_400])
  })

  it('sends 1,000 concurrent callers at expiry through exactly one token request', async () => {
    const clock = new FakeClock()
    const api = client({ clock })
    const first = await api.getToken()
    clock.advance(3600_000)
    scenario.reset()
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => api.getToken()))
    expect(traffic.token).toHaveLength(1)
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(first)
    const responses = await Promise.all(Array.from({ length: 50 }, () => api.fetch('/api/test')))
    expect(responses.every((response) => response.status === 200)).toBe(true)
    expect(traffic.token).toHaveLength(1)
  })

  it('gives every concurrent caller the same error when the one token request fails, then tries again', async () => {
    server.use(tokenHandler(traffic, () => HttpResponse.json({ error: 'invalid_client' }, { status: 401 })))
    const api = client()
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => api.getToken()))
    expect(traffic.token).toHaveLength(1)
    const reasons = new Set(results.map((result) => (result.status === 'rejected' ? result.reason : undefined)))
    expect(reasons.size).toBe(1)
    server.resetHandlers()
    expect(await api.getToken()).toMatch(/^eyJ/)
    expect(traffic.token).toHaveLength(2)
  })

  it('keeps serving the stale token when its background refresh fails, and retries on the next call', async () => {
    const clock = new FakeClock()
    const errors: unknown[] = []
    const api = client({ clock, retry: { limit: 0 }, hooks: { onTokenError: (e) => errors.push(e.error.code) } })
    const first = await api.getToken()
    server.use(tokenHandler(traffic, () => new HttpResponse('down', { status: 500 })))
    clock.advance(3600_000 - 60_000)
    expect(await api.getToken()).toBe(first)
    await expect.poll(() => errors).toEqual(['ERR_TOKEN_HTTP'])
    expect(await api.getToken()).toBe(first)
    await expect.poll(() => errors).toHaveLength(2)
  })

  it('lets a caller abort its wait without cancelling the shared refresh', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    server.use(
      tokenHandler(traffic, async () => {
        await gate
        return tokenResponse()
      }),
    )
    const api = client()
    const controller = new AbortController()
    const aborted = api.getToken({ signal: controller.signal })
    const patient = api.getToken()
    controller.abort()
    expect((await caught(aborted)).code).toBe('ERR_ABORTED')
    release()
    expect(await patient).toBe('opaque-token-1')
    expect(traffic.token).toHaveLength(1)
  })

  it('rejects client.fetch with the signal reason on abort, as fetch does', async () => {
    const api = client()
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(api.fetch('/api/test', { signal: controller.signal })).rejects.toThrow('stop')
  })

  it('close() cancels a pending token request and later calls throw ERR_CLOSED', async () => {
    server.use(tokenHandler(traffic, () => new Promise<Response>(() => undefined)))
    const api = client()
    const pending = api.getToken()
    await expect.poll(() => traffic.token.length).toBe(1)
    await api.close()
    expect((await caught(pending)).code).toBe('ERR_CLOSED')
    expect((await caught(api.getToken())).code).toBe('ERR_CLOSED')
    expect((await caught(api.fetch('/api/test'))).code).toBe('ERR_CLOSED')
  })

  it('close() cancels a backoff wait', async () => {
    server.use(tokenHandler(traffic, () => new HttpResponse(null, { status: 503 })))
    // The real clock: the backoff is a real (unref'd) timer that close() must cancel.
    const api = client({ retry: { baseDelay: 60_000, maxDelay: 60_000, maxElapsed: 120_000 } })
    const pending = api.getToken()
    await expect.poll(() => traffic.token.length).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await api.close()
    expect((await caught(pending)).code).toBe('ERR_CLOSED')
  })

  it('invalidate() forgets tokens so the next call requests one', async () => {
    const api = client()
    const first = await api.getToken()
    await api.invalidate()
    expect(await api.getToken()).not.toBe(first)
    expect(traffic.token).toHaveLength(2)
  })
})

describe('token store', () => {
  it('shares a token between clients through the store, keyed by scope', async () => {
    const store = new MemoryTokenStore()
    const a = client({ tokenStore: store })
    const b = client({ tokenStore: store })
    const token = await a.getToken()
    expect(await b.getToken()).toBe(token)
    expect(traffic.token).toHaveLength(1)
    await b.getToken({ scope: 'write' })
    expect(traffic.token).toHaveLength(2)
    expect(store.size).toBe(2)
    for (const [, value] of Object.entries(store)) expect(JSON.stringify(value)).not.toContain(key.secret)
  })

  it('does not adopt a stored token the API just refused', async () => {
    const store = new MemoryTokenStore()
    const api = client({ tokenStore: store })
    await api.getToken()
    scenario.serverTime += 2 * 3600_000
    expect((await api.fetch('/api/test')).status).toBe(200)
    expect(traffic.token).toHaveLength(2)
  })

  it('carries on with its memory cache when the store fails', async () => {
    const failures: string[] = []
    const broken = {
      get: () => Promise.reject(new Error('store down')),
      set: () => Promise.reject(new Error('store down')),
      delete: () => Promise.reject(new Error('store down')),
    }
    const api = client({ tokenStore: broken, hooks: { onTokenStoreError: (e) => failures.push(e.operation) } })
    expect((await api.fetch('/api/test')).status).toBe(200)
    expect(failures).toEqual(['get', 'set'])
  })
})

describe('Basic mode', () => {
  it('sends the key on each request and never calls the token endpoint', async () => {
    const api = client({ mode: 'basic' })
    const response = await api.fetch('/api/test')
    expect(await response.json()).toEqual({ keyId: key.id, method: 'basic' })
    await api.fetch('/api/test')
    expect(traffic.token).toHaveLength(0)
    expect(traffic.api[0]?.headers.get('authorization')).toBe(
      `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`,
    )
  })

  it('returns a 401 as is, without a retry', async () => {
    const api = client({ mode: 'basic', apiKey: { id: key.id, secret: 'lksecret_wrong' } })
    const response = await api.fetch('/api/test', { method: 'POST', body: 'x' })
    expect(response.status).toBe(401)
    expect(traffic.api).toHaveLength(1)
    expect(traffic.token).toHaveLength(0)
  })

  it('has no tokens', async () => {
    expect((await caught(client({ mode: 'basic' }).getToken())).code).toBe('ERR_INVALID_OPTIONS')
  })
})
