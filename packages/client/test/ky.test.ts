import ky, { HTTPError } from 'ky'
import { HttpResponse, http } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../src/index.js'
import { withLatchkey } from '../src/ky.js'
import { API, createScenario, RESOURCE_URL } from './handlers.js'

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

const api = (options: Parameters<typeof createClient>[0], kyOptions = {}) =>
  withLatchkey(ky.create({ prefixUrl: API, ...kyOptions }), createClient(options))

describe('withLatchkey', () => {
  it('authenticates ky requests with the cached token', async () => {
    const instance = api({ baseUrl: API, apiKey: key })
    expect(await instance.get('api/test').json()).toEqual({ keyId: key.id, method: 'bearer' })
    expect(await instance.post('api/test', { json: { a: 1 } }).json()).toMatchObject({ keyId: key.id })
    expect(traffic.token).toHaveLength(1)
  })

  it('shares the cache with client.fetch', async () => {
    const client = createClient({ baseUrl: API, apiKey: key })
    await client.fetch('/api/test')
    await withLatchkey(ky.create({ prefixUrl: API }), client).get('api/test')
    expect(traffic.token).toHaveLength(1)
  })

  it('on a 401, refreshes once and retries once, body included', async () => {
    const client = createClient({ baseUrl: API, apiKey: key })
    const instance = withLatchkey(ky.create({ prefixUrl: API }), client)
    await client.getToken()
    scenario.serverTime += 2 * 3600_000
    const result = await instance.post('api/test', { json: { a: 1 } }).json()
    expect(result).toMatchObject({ keyId: key.id })
    expect(traffic.token).toHaveLength(2)
    expect(traffic.api).toHaveLength(2)
    expect(await traffic.api[1]?.json()).toEqual({ a: 1 })
  })

  it('throws a second 401 as an HTTPError, without a loop', async () => {
    server.use(
      http.get(RESOURCE_URL, ({ request }) => {
        traffic.api.push(request)
        return new HttpResponse(null, { status: 401 })
      }),
    )
    const instance = api({ baseUrl: API, apiKey: key }, { retry: { limit: 3 } })
    await expect(instance.get('api/test')).rejects.toBeInstanceOf(HTTPError)
    expect(traffic.api).toHaveLength(2)
    expect(traffic.token).toHaveLength(2)
    // The next call is owed its own retry.
    await expect(instance.get('api/test')).rejects.toBeInstanceOf(HTTPError)
    expect(traffic.api).toHaveLength(4)
  })

  it('does not retry a 403', async () => {
    const instance = api({ baseUrl: API, apiKey: key, scope: 'read' })
    await expect(instance.post('api/test', { json: {} })).rejects.toMatchObject({ response: { status: 403 } })
    expect(traffic.api).toHaveLength(1)
  })

  it('refuses to run a 401 retry with retry.limit 0, saying how to fix it', async () => {
    const client = createClient({ baseUrl: API, apiKey: key })
    await client.getToken()
    scenario.serverTime += 2 * 3600_000
    const instance = withLatchkey(ky.create({ prefixUrl: API, retry: 0 }), client)
    await expect(instance.get('api/test')).rejects.toMatchObject({ code: 'ERR_AUTH_RETRY_NOT_POSSIBLE' })
  })

  it('sends Basic credentials in Basic mode', async () => {
    const instance = api({ mode: 'basic', baseUrl: API, apiKey: key })
    expect(await instance.get('api/test').json()).toEqual({ keyId: key.id, method: 'basic' })
    expect(traffic.token).toHaveLength(0)
  })
})
