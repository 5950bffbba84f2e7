import { inspect } from 'node:util'
import { delay, HttpResponse, http } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type ClientOptions,
  createClient,
  isLatchkeyClientError,
  type LatchkeyClientError,
  type TokenErrorEvent,
} from '../src/index.js'
import { FakeClock } from './fake-clock.js'
import { createScenario, TOKEN_URL, tokenHandler, tokenResponse } from './handlers.js'

const scenario = createScenario()
const { server, traffic } = scenario
const apiKey = { id: 'lk_client', secret: 'lksecret_do-not-print-me' }

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  server.resetHandlers()
  scenario.reset()
})
afterAll(() => server.close())

function setup(options: Partial<ClientOptions> = {}) {
  const clock = new FakeClock()
  const errors: TokenErrorEvent[] = []
  const client = createClient({
    tokenUrl: TOKEN_URL,
    apiKey,
    clock,
    hooks: { onTokenError: (event) => errors.push(event) },
    ...options,
  })
  return { client, clock, errors }
}

async function caught(promise: Promise<unknown>): Promise<LatchkeyClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isLatchkeyClientError(error)) throw new Error(`Expected a LatchkeyClientError, got ${String(error)}`)
  expect(`${error.message} ${inspect(error)} ${JSON.stringify(error)}`).not.toContain(apiKey.secret)
  return error
}

/** Fails `count` times with `failure`, then answers a token. */
function failThenSucceed(count: number, failure: () => Response) {
  return tokenHandler(traffic, () => (traffic.token.length <= count ? failure() : tokenResponse()))
}

describe('retries', () => {
  it('retries a 500 at most retry.limit times with jittered backoff, then throws, caching nothing', async () => {
    server.use(tokenHandler(traffic, () => new HttpResponse('<h1>oops</h1>', { status: 500 })))
    const { client, clock } = setup({ retry: { limit: 2, baseDelay: 200 } })
    const error = await caught(client.getToken())
    expect(error.code).toBe('ERR_TOKEN_HTTP')
    expect(error.status).toBe(500)
    expect(traffic.token).toHaveLength(3)
    expect(clock.sleeps).toHaveLength(2)
    expect(clock.sleeps[0]).toBeLessThanOrEqual(200)
    expect(clock.sleeps[1]).toBeLessThanOrEqual(400)
    // Nothing cached: the next call asks again.
    server.resetHandlers(failThenSucceed(0, () => new HttpResponse(null, { status: 500 })))
    expect(await client.getToken()).toBe('opaque-token-1')
  })

  it('waits for Retry-After on a 503 (delta-seconds)', async () => {
    server.use(failThenSucceed(1, () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '2' } })))
    const { client, clock } = setup()
    expect(await client.getToken()).toBe('opaque-token-1')
    expect(clock.sleeps).toEqual([2000])
  })

  it('waits for Retry-After on a 429 given as an HTTP date', async () => {
    const { client, clock } = setup()
    const at = new Date(clock.wallTime() + 5000).toUTCString()
    server.use(
      failThenSucceed(1, () =>
        HttpResponse.json({ error: 'slow_down' }, { status: 429, headers: { 'Retry-After': at } }),
      ),
    )
    expect(await client.getToken()).toBe('opaque-token-1')
    expect(clock.sleeps[0]).toBeGreaterThan(3000)
    expect(clock.sleeps[0]).toBeLessThanOrEqual(5000)
  })

  it('falls back to backoff when Retry-After is invalid', async () => {
    server.use(failThenSucceed(1, () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': 'soon' } })))
    const { client, clock } = setup({ retry: { baseDelay: 100 } })
    await client.getToken()
    expect(clock.sleeps[0]).toBeLessThanOrEqual(100)
  })

  it('gives up at once when Retry-After exceeds maxDelay', async () => {
    server.use(tokenHandler(traffic, () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '3600' } })))
    const { client, clock, errors } = setup()
    expect((await caught(client.getToken())).status).toBe(503)
    expect(traffic.token).toHaveLength(1)
    expect(clock.sleeps).toEqual([])
    expect(errors[0]).toMatchObject({ willRetry: false, attempt: 1 })
  })

  it('bounds the total time of retries by maxElapsed', async () => {
    server.use(tokenHandler(traffic, () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '10' } })))
    const { client } = setup({ retry: { limit: 10, maxElapsed: 25_000 } })
    await caught(client.getToken())
    expect(traffic.token).toHaveLength(3) // 0 s, 10 s, 20 s; a fourth would start at 30 s
  })

  it('retries network errors, boundedly', async () => {
    server.use(tokenHandler(traffic, () => HttpResponse.error()))
    const { client, errors } = setup({ retry: { limit: 1 } })
    const error = await caught(client.getToken())
    expect(error.code).toBe('ERR_NETWORK')
    expect(error.cause).toBeDefined()
    expect(traffic.token).toHaveLength(2)
    expect(errors.map((event) => event.willRetry)).toEqual([true, false])
  })

  it('never retries invalid_client', async () => {
    server.use(tokenHandler(traffic, () => HttpResponse.json({ error: 'invalid_client' }, { status: 401 })))
    const { client } = setup()
    const error = await caught(client.getToken())
    expect(error).toMatchObject({ code: 'ERR_OAUTH', oauthError: 'invalid_client', status: 401 })
    expect(traffic.token).toHaveLength(1)
  })

  it('never retries invalid_scope, and says how to fix it', async () => {
    server.use(tokenHandler(traffic, () => HttpResponse.json({ error: 'invalid_scope' }, { status: 400 })))
    const error = await caught(setup().client.getToken())
    expect(error.message).toMatch(/Request only scopes the API key holds/)
    expect(traffic.token).toHaveLength(1)
  })

  it('removes the secret from an error description that echoes it', async () => {
    server.use(
      tokenHandler(traffic, () =>
        HttpResponse.json(
          { error: 'invalid_client', error_description: `bad secret ${apiKey.secret}` },
          { status: 401 },
        ),
      ),
    )
    const error = await caught(setup().client.getToken())
    expect(error.oauthErrorDescription).toBe('bad secret [redacted]')
  })
})

describe('unusable answers', () => {
  it.each([
    [
      'malformed JSON',
      () => new HttpResponse('{"access_token": ', { headers: { 'content-type': 'application/json' } }),
    ],
    ['HTML', () => HttpResponse.html('<html>login</html>')],
    ['an empty body', () => new HttpResponse(null, { status: 200 })],
    ['text/plain', () => HttpResponse.text(JSON.stringify({ access_token: 'x', token_type: 'Bearer' }))],
    ['a JSON array', () => HttpResponse.json([1])],
    ['no access_token', () => HttpResponse.json({ token_type: 'Bearer', expires_in: 60 })],
    ['a numeric access_token', () => tokenResponse({ access_token: 42 })],
    ['an access_token with a newline', () => tokenResponse({ access_token: 'a\r\nX-Evil: 1' })],
    ['token_type DPoP', () => tokenResponse({ token_type: 'DPoP' })],
    ['token_type mac', () => tokenResponse({ token_type: 'mac' })],
    ['no token_type', () => tokenResponse({ token_type: undefined })],
  ])('refuses %s, without retrying or caching', async (_, answer) => {
    server.use(tokenHandler(traffic, answer))
    const { client } = setup()
    expect((await caught(client.getToken())).code).toBe('ERR_TOKEN_RESPONSE')
    expect(traffic.token).toHaveLength(1)
    await caught(client.getToken())
    expect(traffic.token).toHaveLength(2)
  })

  it('accepts token_type in any case', async () => {
    server.use(tokenHandler(traffic, () => tokenResponse({ token_type: 'bEaReR' })))
    expect(await setup().client.getToken()).toBe('opaque-token-1')
  })

  it('refuses a response over maxResponseBytes, declared or streamed', async () => {
    const big = 'x'.repeat(2048)
    server.use(tokenHandler(traffic, () => tokenResponse({ padding: big })))
    const { client } = setup({ maxResponseBytes: 1024 })
    expect((await caught(client.getToken())).code).toBe('ERR_TOKEN_RESPONSE')
    const chunks = new ReadableStream({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode(big)) // never ends
      },
    })
    server.use(
      tokenHandler(traffic, () => new HttpResponse(chunks, { headers: { 'content-type': 'application/json' } })),
    )
    const error = await caught(client.getToken())
    expect(error.code).toBe('ERR_TOKEN_RESPONSE')
    expect(error.message).toMatch(/more than 1024 bytes/)
  })

  it('times out a slow token endpoint', async () => {
    server.use(
      tokenHandler(traffic, async () => {
        await delay(2000)
        return tokenResponse()
      }),
    )
    const { client } = setup({ timeout: 30, retry: { limit: 0 } })
    const error = await caught(client.getToken())
    expect(error.code).toBe('ERR_TIMEOUT')
  })

  it('refuses redirects, so the secret is not re-sent elsewhere', async () => {
    server.use(
      tokenHandler(
        traffic,
        () => new HttpResponse(null, { status: 307, headers: { location: 'https://evil.test/oauth/token' } }),
      ),
      http.post('https://evil.test/oauth/token', () => {
        throw new Error('The redirect was followed.')
      }),
    )
    const error = await caught(setup().client.getToken())
    expect(error).toMatchObject({ code: 'ERR_TOKEN_REDIRECT', status: 307 })
    expect(traffic.token).toHaveLength(1)
  })
})

describe('transport security', () => {
  it('refuses a plain http:// token URL to a remote host', () => {
    expect(() => createClient({ tokenUrl: 'http://auth.example.com/oauth/token', apiKey })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
    )
  })

  it('allows http:// to loopback hosts, and elsewhere only when asked', () => {
    for (const url of [
      'http://localhost:3000/t',
      'http://127.0.0.1/t',
      'http://[::1]:8080/t',
      'http://api.localhost/t',
    ]) {
      expect(() => createClient({ tokenUrl: url, apiKey })).not.toThrow()
    }
    expect(() =>
      createClient({ tokenUrl: 'http://auth.internal/oauth/token', apiKey, allowInsecureHttp: true }),
    ).not.toThrow()
  })

  it('refuses to send Basic credentials to a remote http:// API', async () => {
    const client = createClient({ mode: 'basic', apiKey })
    expect((await caught(client.fetch('http://api.example.com/x'))).code).toBe('ERR_INVALID_OPTIONS')
  })
})
