import { inspect } from 'node:util'
import { HttpResponse } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../src/index.js'
import { FakeClock } from './fake-clock.js'
import { API, createScenario, tokenHandler } from './handlers.js'

const scenario = createScenario()

beforeAll(() => scenario.server.listen({ onUnhandledRequest: 'error' }))
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
})
