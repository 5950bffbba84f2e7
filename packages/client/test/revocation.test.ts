import { type HttpAnswer, toResponse } from '@latchkey/verifier'
import { delay, HttpResponse, http } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type ClientOptions,
  createClient,
  isLatchkeyClientError,
  type LatchkeyClientError,
  MemoryTokenStore,
} from '../src/index.js'
import { FakeClock } from './fake-clock.js'
import { API, createScenario, RESOURCE_URL, REVOCATION_URL, revocationHandler, TOKEN_URL } from './handlers.js'

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
  vi.restoreAllMocks()
})
afterAll(() => server.close())

function client(options: Partial<ClientOptions> = {}) {
  return createClient({ baseUrl: API, apiKey: key, ...options })
}

/** The API's answer to `token` sent directly, not through the client. */
function direct(token: string): Promise<Response> {
  return fetch(RESOURCE_URL, { headers: { authorization: `Bearer ${token}` } })
}

async function revokedForm(index = 0): Promise<Record<string, string>> {
  const request = traffic.revocation[index]
  if (!request) throw new Error(`No revocation request #${index}`)
  return Object.fromEntries(new URLSearchParams(await request.clone().text()))
}

async function caught(promise: Promise<unknown>, token?: string): Promise<LatchkeyClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isLatchkeyClientError(error)) throw new Error(`Expected a LatchkeyClientError, got ${String(error)}`)
  expect(error.message).not.toContain(key.secret)
  if (token !== undefined) expect(error.message).not.toContain(token)
  return error
}

describe('revoke() against the verifier', () => {
  it('revokes the cached token: the verifier refuses it, and the next call gets a new token and succeeds', async () => {
    const api = client()
    expect((await api.fetch('/api/test')).status).toBe(200)
    const old = await api.getToken()
    await api.revoke()

    expect(traffic.revocation).toHaveLength(1)
    const request = traffic.revocation[0] as Request
    expect(request.headers.get('authorization')).toMatch(/^Basic /)
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    expect(request.redirect).toBe('manual')
    expect(await revokedForm()).toEqual({ token: old, token_type_hint: 'access_token' })

    const refused = await direct(old)
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)

    scenario.reset()
    expect((await api.fetch('/api/test')).status).toBe(200)
    expect(traffic.token).toHaveLength(1)
    // The new token went out first time: no 401 to the old one, no retry.
    expect(traffic.api).toHaveLength(1)
    expect(traffic.api[0]?.headers.get('authorization')).not.toBe(`Bearer ${old}`)
  })

  it('authenticates with client_secret_post when the client does', async () => {
    const api = client({ clientAuthentication: 'client_secret_post' })
    const old = await api.getToken()
    await api.revoke()
    expect(traffic.revocation[0]?.headers.get('authorization')).toBeNull()
    expect(await revokedForm()).toEqual({
      token: old,
      token_type_hint: 'access_token',
      client_id: key.id,
      client_secret: key.secret,
    })
    expect((await direct(old)).status).toBe(401)
  })

  it("with { scope }, revokes only that scope's token; the other stays cached and valid", async () => {
    const api = client()
    const read = await api.getToken({ scope: 'read' })
    const write = await api.getToken({ scope: 'write' })
    await api.revoke({ scope: ['read'] })
    expect(traffic.revocation).toHaveLength(1)
    expect((await revokedForm()).token).toBe(read)
    expect((await direct(read)).status).toBe(401)
    expect((await direct(write)).status).toBe(200)
    scenario.reset()
    expect(await api.getToken({ scope: 'write' })).toBe(write)
    expect(traffic.token).toHaveLength(0)
    expect(await api.getToken({ scope: 'read' })).not.toBe(read)
    expect(traffic.token).toHaveLength(1)
  })

  it("without options, revokes every scope's token", async () => {
    const api = client({ scope: 'read' })
    const tokens = [await api.getToken(), await api.getToken({ scope: 'write' }), await api.getToken({ scope: '' })]
    await api.revoke()
    expect(traffic.revocation).toHaveLength(3)
    const sent = await Promise.all([0, 1, 2].map(async (index) => (await revokedForm(index)).token))
    expect(sent.sort()).toEqual([...tokens].sort())
    for (const token of tokens) expect((await direct(token)).status).toBe(401)
  })

  it('with { token }, revokes exactly that token and forgets it where it is cached', async () => {
    const api = client()
    const token = await api.getToken()
    const other = await api.getToken({ scope: 'write' })
    await api.revoke({ token })
    expect(traffic.revocation).toHaveLength(1)
    expect((await revokedForm()).token).toBe(token)
    expect((await direct(token)).status).toBe(401)
    scenario.reset()
    expect(await api.getToken({ scope: 'write' })).toBe(other)
    expect(await api.getToken()).not.toBe(token)
    expect(traffic.token).toHaveLength(1)
    await expect(api.revoke({ token: '' })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' })
  })

  it('sends nothing and resolves when no token is cached', async () => {
    const api = client()
    await api.revoke()
    await api.revoke({ scope: 'read' })
    await api.getToken({ scope: 'read' })
    scenario.reset()
    await api.revoke({ scope: 'write' })
    expect(traffic.revocation).toHaveLength(0)
  })

  it('waits for a token request in flight and revokes its token, which is never cached', async () => {
    let release = (): void => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    server.use(
      http.post(TOKEN_URL, async ({ request }) => {
        traffic.token.push(request.clone())
        await gate
        return toResponse((await scenario.verifier.answer(request)) as HttpAnswer)
      }),
    )
    const api = client()
    const pending = api.getToken()
    await expect.poll(() => traffic.token.length).toBe(1)
    const revoking = api.revoke()
    release()
    const landed = await pending
    await revoking
    expect((await revokedForm()).token).toBe(landed)
    expect((await direct(landed)).status).toBe(401)
    expect(await api.getToken()).not.toBe(landed)
    expect(traffic.token).toHaveLength(2)
  })

  it('revokes both a stale token and the background refresh running for it', async () => {
    const clock = new FakeClock()
    const api = client({ clock })
    const stale = await api.getToken()
    let release = (): void => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    server.use(
      http.post(TOKEN_URL, async ({ request }) => {
        traffic.token.push(request.clone())
        await gate
        return toResponse((await scenario.verifier.answer(request)) as HttpAnswer)
      }),
    )
    // Past the refresh window's start (an hour, less 30 s of skew and 60 s of window): served while refreshing.
    clock.advance(3600_000 - 90_000 + 1000)
    expect(await api.getToken()).toBe(stale)
    await expect.poll(() => traffic.token.length).toBe(2)
    const revoking = api.revoke()
    release()
    await revoking
    expect(traffic.revocation).toHaveLength(2)
    const sent = [(await revokedForm(0)).token ?? '', (await revokedForm(1)).token ?? '']
    expect(sent).toContain(stale)
    const refreshed = sent.find((token) => token !== stale)
    expect(refreshed).toBeDefined()
    for (const token of sent) expect((await direct(token)).status).toBe(401)
    const next = await api.getToken()
    expect([stale, refreshed]).not.toContain(next)
  })

  it('deletes the revoked token from the tokenStore', async () => {
    const store = new MemoryTokenStore()
    const api = client({ tokenStore: store })
    await api.getToken()
    await api.getToken({ scope: 'read' })
    expect(store.size).toBe(2)
    await api.revoke({ scope: 'read' })
    expect(store.size).toBe(1)
    await api.revoke()
    expect(store.size).toBe(0)
  })

  it('sends to revocationUrl when it is set', async () => {
    const custom = `${API}/gateway/revoke`
    server.use(
      // A gateway that mounts the verifier's endpoint elsewhere.
      http.post(custom, async ({ request }) => {
        traffic.revocation.push(request.clone())
        const forwarded = new Request(REVOCATION_URL, {
          method: 'POST',
          headers: request.headers,
          body: await request.text(),
        })
        return toResponse((await scenario.verifier.answer(forwarded)) as HttpAnswer)
      }),
      http.post(REVOCATION_URL, () => {
        throw new Error('The default revocation URL was used.')
      }),
    )
    const api = client({ revocationUrl: new URL(custom) })
    const token = await api.getToken()
    await api.revoke()
    expect(traffic.revocation[0]?.url).toBe(custom)
    expect((await direct(token)).status).toBe(401)
  })

  it('resolves at once and sends nothing in Basic mode', async () => {
    const api = client({ mode: 'basic' })
    expect((await api.fetch('/api/test')).status).toBe(200)
    await api.revoke()
    await api.revoke({ scope: 'read', token: 'anything' })
    expect(traffic.revocation).toHaveLength(0)
    expect(traffic.token).toHaveLength(0)
  })

  it('rejects with ERR_CLOSED after close(), sending nothing, in both modes', async () => {
    for (const mode of ['client_credentials', 'basic'] as const) {
      const api = client({ mode })
      if (mode === 'client_credentials') await api.getToken()
      await api.close()
      expect((await caught(api.revoke())).code).toBe('ERR_CLOSED')
      expect((await caught(api.revoke({ token: 'abc' }))).code).toBe('ERR_CLOSED')
    }
    expect(traffic.revocation).toHaveLength(0)
  })

  it('close() cancels a revocation in flight', async () => {
    server.use(revocationHandler(traffic, () => new Promise<Response>(() => undefined)))
    const api = client()
    await api.getToken()
    const revoking = api.revoke()
    await expect.poll(() => traffic.revocation.length).toBe(1)
    await api.close()
    expect((await caught(revoking)).code).toBe('ERR_CLOSED')
  })
})

describe('revocation failures: rejected once, never retried, the token forgotten anyway', () => {
  it('rejects with invalid_client (401) when the key was revoked meanwhile', async () => {
    const revoked = await scenario.createKey()
    const api = client({ apiKey: revoked })
    const token = await api.getToken()
    await scenario.manager.revokeApiKey(revoked.id)
    const error = await caught(api.revoke(), token)
    expect(error).toMatchObject({ code: 'ERR_OAUTH', oauthError: 'invalid_client', status: 401 })
    expect(error.message).toMatch(/^The revocation endpoint refused the request with invalid_client \(HTTP 401\)/)
    expect(error.message).toMatch(/revoked or disabled/)
    expect(traffic.revocation).toHaveLength(1)
    // Forgotten: the next call asks the token endpoint, which refuses the revoked key too.
    expect((await caught(api.getToken())).oauthError).toBe('invalid_client')
    expect(traffic.token).toHaveLength(2)
  })

  it('rejects with temporarily_unavailable (503) when the verifier cannot record it, saying to try again', async () => {
    vi.spyOn(scenario.store, 'revokeAccessToken').mockImplementation(() => {
      throw new Error('connection lost')
    })
    const api = client()
    const token = await api.getToken()
    const error = await caught(api.revoke(), token)
    expect(error).toMatchObject({ code: 'ERR_OAUTH', oauthError: 'temporarily_unavailable', status: 503 })
    expect(error.message).toMatch(/Try again in 1 s \(Retry-After\)/)
    expect(traffic.revocation).toHaveLength(1)
    // The server did not revoke it, but this client forgot it: the next call gets a new token.
    expect((await direct(token)).status).toBe(200)
    expect(await api.getToken()).not.toBe(token)
  })

  it('rejects with unsupported_token_type when the verifier cannot revoke single tokens', async () => {
    Object.defineProperty(scenario.store, 'revokeAccessToken', { value: undefined, configurable: true })
    try {
      const api = client()
      await api.getToken()
      const error = await caught(api.revoke())
      expect(error).toMatchObject({ code: 'ERR_OAUTH', oauthError: 'unsupported_token_type', status: 400 })
      expect(error.message).toMatch(/revoke the API key/)
    } finally {
      Reflect.deleteProperty(scenario.store, 'revokeAccessToken')
    }
  })

  it('rejects with ERR_NETWORK when the endpoint cannot be reached, and forgets the token', async () => {
    server.use(revocationHandler(traffic, () => HttpResponse.error()))
    const api = client()
    const token = await api.getToken()
    const error = await caught(api.revoke(), token)
    expect(error.code).toBe('ERR_NETWORK')
    expect(error.message).toMatch(/revocation endpoint https:\/\/api\.test could not be reached\. Check revocationUrl/)
    expect(traffic.revocation).toHaveLength(1)
    expect(await api.getToken()).not.toBe(token)
  })

  it('rejects a 429 and a 5xx without an OAuth body as transient', async () => {
    const api = client()
    server.use(
      revocationHandler(traffic, () =>
        HttpResponse.json({ error: 'too_many_requests' }, { status: 429, headers: { 'retry-after': '7' } }),
      ),
    )
    await api.getToken()
    const throttled = await caught(api.revoke())
    expect(throttled).toMatchObject({ code: 'ERR_OAUTH', oauthError: 'too_many_requests', status: 429 })
    expect(throttled.message).toMatch(/Try again in 7 s/)
    server.use(revocationHandler(traffic, () => HttpResponse.html('<h1>Bad gateway</h1>', { status: 502 })))
    await api.getToken()
    const down = await caught(api.revoke())
    expect(down).toMatchObject({ code: 'ERR_TOKEN_HTTP', status: 502 })
    expect(down.message).toMatch(/may be down or overloaded/)
    expect(traffic.revocation).toHaveLength(2)
  })

  it('refuses a redirect, so the secret is not re-sent elsewhere', async () => {
    server.use(
      revocationHandler(
        traffic,
        () => new HttpResponse(null, { status: 308, headers: { location: 'https://evil.test/revoke' } }),
      ),
      http.post('https://evil.test/revoke', () => {
        throw new Error('The redirect was followed.')
      }),
    )
    const api = client()
    await api.getToken()
    expect(await caught(api.revoke())).toMatchObject({ code: 'ERR_TOKEN_REDIRECT', status: 308 })
  })

  it('times out a slow endpoint', async () => {
    server.use(
      revocationHandler(traffic, async () => {
        await delay(2000)
        return new HttpResponse(null, { status: 200 })
      }),
    )
    const api = client({ timeout: 30 })
    const token = await api.getToken()
    expect((await caught(api.revoke())).code).toBe('ERR_TIMEOUT')
    expect(await api.getToken()).not.toBe(token)
  })

  it('stops at once when its signal aborts, with the token forgotten', async () => {
    server.use(revocationHandler(traffic, () => new Promise<Response>(() => undefined)))
    const api = client()
    const token = await api.getToken()
    const controller = new AbortController()
    const revoking = caught(api.revoke({ signal: controller.signal }))
    await expect.poll(() => traffic.revocation.length).toBe(1)
    controller.abort(new Error('stop'))
    const aborted = await revoking
    expect(aborted.code).toBe('ERR_ABORTED')
    expect((aborted.cause as Error).message).toBe('stop')
    expect(await api.getToken()).not.toBe(token)
  })

  it('tries every token, then rejects with the first failure', async () => {
    let calls = 0
    server.use(
      revocationHandler(traffic, async (request) => {
        calls++
        if (calls === 1) return HttpResponse.json({ error: 'temporarily_unavailable' }, { status: 503 })
        return toResponse((await scenario.verifier.answer(request)) as HttpAnswer)
      }),
    )
    const api = client()
    await api.getToken({ scope: 'read' })
    await api.getToken({ scope: 'write' })
    expect((await caught(api.revoke())).oauthError).toBe('temporarily_unavailable')
    expect(traffic.revocation).toHaveLength(2)
  })
})
