import { inspect } from 'node:util'
import { HttpResponse } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../src/index.js'
import { FakeClock } from './fake-clock.js'
import { API, createScenario, revocationHandler, tokenHandler } from './handlers.js'

const scenario = createScenario()

beforeAll(() => scenario.server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => scenario.server.resetHandlers())
afterAll(() => scenario.server.close())

describe('secrets and tokens stay out of everything observable', () => {
  it('never shows the secret or a token in the client, hook events or errors', async () => {
    const key = await scenario.createKey(['read'])
    const seen: unknown[] = []
    const record = (event: unknown) => seen.push(event)
    const clock = new FakeClock()
    const client = createClient({
      baseUrl: API,
      apiKey: key,
      clock,
      hooks: {
        onTokenRequest: record,
        onTokenResponse: record,
        onTokenError: record,
        onTokenCache: record,
        onAuthRetry: record,
        onTokenStoreError: record,
      },
    })
    const token = await client.getToken()
    await client.fetch('/api/test')
    scenario.serverTime += 2 * 3600_000
    await client.fetch('/api/test')
    scenario.server.use(
      tokenHandler(scenario.traffic, () => HttpResponse.json({ error: 'invalid_client' }, { status: 401 })),
    )
    const error = await client.getToken({ forceRefresh: true }).catch((e: unknown) => e)
    seen.push(error)
    const observable = [
      inspect(client, { depth: 10, showHidden: true }),
      JSON.stringify(client),
      ...seen.map((item) => `${inspect(item, { depth: 10, showHidden: true })} ${JSON.stringify(item)}`),
    ].join('\n')
    expect(seen.length).toBeGreaterThan(6)
    expect(observable).not.toContain(key.secret)
    expect(observable).not.toContain(token)
    expect(observable).not.toContain(token.split('.')[2])
  })

  it('never shows the secret or the token in revocation errors, even when the server echoes them', async () => {
    for (const clientAuthentication of ['client_secret_basic', 'client_secret_post'] as const) {
      const key = await scenario.createKey(['read'])
      const client = createClient({ baseUrl: API, apiKey: key, clientAuthentication })
      const tokens: string[] = []
      const errors: unknown[] = []
      const echo = (status: number) =>
        revocationHandler(scenario.traffic, async (request) => {
          const body = await request.text()
          const token = new URLSearchParams(body).get('token') ?? ''
          return HttpResponse.json(
            { error: 'invalid_request', error_description: `${body} ${token} ${key.secret}` },
            { status },
          )
        })
      for (const answer of [echo(400), echo(503), revocationHandler(scenario.traffic, () => HttpResponse.error())]) {
        scenario.server.use(answer)
        tokens.push(await client.getToken())
        errors.push(await client.revoke().catch((e: unknown) => e))
      }
      scenario.server.resetHandlers()
      tokens.push(await client.getToken())
      await client.revoke()
      const observable = errors
        .map((item) => `${inspect(item, { depth: 10, showHidden: true })} ${JSON.stringify(item)}`)
        .join('\n')
      expect(errors.map((error) => (error as { code: string }).code)).toEqual(['ERR_OAUTH', 'ERR_OAUTH', 'ERR_NETWORK'])
      expect(observable).toContain('[redacted]')
      expect(observable).not.toContain(key.secret)
      expect(observable).not.toContain(encodeURIComponent(key.secret))
      for (const token of tokens) expect(observable).not.toContain(token)
    }
  })
})
