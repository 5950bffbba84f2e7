import type {
  Account,
  AccountChanges,
  AccountStatus,
  ApiKeyChanges,
  ApiKeyCredential,
  ApiKeyRecord,
  ApiKeyRotationResult,
  ApiKeyStatus,
  KeyStore,
  SigningKeyRecord,
} from '@latchkey/verifier'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  call,
  createKey,
  getTest,
  getToken,
  type HttpResult,
  json,
  type RequestOptions,
  startServer,
  type TestKey,
  type TestServer,
  tokenRequest,
  wrongSecret,
} from './harness.js'

type Mode = 'up' | 'throwing' | 'hanging'

/** A real store behind a switch: it delegates while up, throws, or never answers. */
class FlakyStore implements KeyStore {
  mode: Mode = 'up'
  readonly #store: KeyStore

  constructor(store: KeyStore) {
    this.#store = store
  }

  #call<T>(operation: () => T | Promise<T>): T | Promise<T> {
    if (this.mode === 'throwing') throw new Error('SQLITE_IOERR: disk I/O error')
    if (this.mode === 'hanging') return new Promise<T>(() => {})
    return operation()
  }

  findApiKey(id: string) {
    return this.#call<ApiKeyCredential | undefined>(() => this.#store.findApiKey(id))
  }
  insertAccount(account: Account) {
    return this.#call<void>(() => this.#store.insertAccount(account))
  }
  getAccount(id: string) {
    return this.#call<Account | undefined>(() => this.#store.getAccount(id))
  }
  listAccounts() {
    return this.#call<Account[]>(() => this.#store.listAccounts())
  }
  setAccountStatus(id: string, status: AccountStatus) {
    return this.#call<Account | undefined>(() => this.#store.setAccountStatus(id, status))
  }
  updateAccount(id: string, changes: AccountChanges) {
    return this.#call<Account | undefined>(() => this.#store.updateAccount(id, changes))
  }
  insertApiKey(key: ApiKeyRecord) {
    return this.#call<void>(() => this.#store.insertApiKey(key))
  }
  getApiKey(id: string) {
    return this.#call<ApiKeyRecord | undefined>(() => this.#store.getApiKey(id))
  }
  listApiKeys(filter?: { readonly accountId?: string }) {
    return this.#call<ApiKeyRecord[]>(() => this.#store.listApiKeys(filter))
  }
  setApiKeyStatus(id: string, status: ApiKeyStatus) {
    return this.#call<ApiKeyRecord | undefined>(() => this.#store.setApiKeyStatus(id, status))
  }
  updateApiKey(id: string, changes: ApiKeyChanges) {
    return this.#call<ApiKeyRecord | undefined>(() => this.#store.updateApiKey(id, changes))
  }
  rotateApiKey(id: string, replacement: ApiKeyRecord, expiresAt: Date) {
    return this.#call<ApiKeyRotationResult>(() => this.#store.rotateApiKey(id, replacement, expiresAt))
  }
  listSigningKeys() {
    return this.#call<SigningKeyRecord[]>(() => this.#store.listSigningKeys())
  }
  insertSigningKey(key: SigningKeyRecord) {
    return this.#call<void>(() => this.#store.insertSigningKey(key))
  }
}

function expectUnavailable(result: HttpResult, what: string): void {
  expect({ what, status: result.status, error: json(result).error }).toEqual({
    what,
    status: 503,
    error: 'temporarily_unavailable',
  })
}

interface Attempts {
  readonly basic: HttpResult
  readonly cachedBearer: HttpResult
  readonly freshBearer: HttpResult
  readonly token: HttpResult
}

describe('A key store that fails', () => {
  let server: TestServer
  let flaky: FlakyStore
  let key: TestKey
  let cachedToken: string

  beforeAll(async () => {
    server = await startServer({
      wrapStore: (store) => {
        flaky = new FlakyStore(store)
        return flaky
      },
    })
    key = await createKey(server.manager, ['read'])
    cachedToken = await getToken(server.url, key)
    // A Bearer request puts the token in the verified-token cache.
    expect((await getTest(server.url, `Bearer ${cachedToken}`)).status).toBe(200)
  })

  afterAll(async () => {
    if (flaky) flaky.mode = 'up'
    await server?.stop()
  })

  async function attempts(freshToken: string): Promise<Attempts> {
    return {
      basic: await getTest(server.url, basic(key.id, key.secret)),
      cachedBearer: await getTest(server.url, `Bearer ${cachedToken}`),
      freshBearer: await getTest(server.url, `Bearer ${freshToken}`),
      token: await tokenRequest(
        server.url,
        { grant_type: 'client_credentials' },
        { authorization: basic(key.id, key.secret) },
      ),
    }
  }

  it('answers Basic, Bearer (cached or not) and token requests with 503 temporarily_unavailable while it throws', async () => {
    const freshToken = await getToken(server.url, key)
    flaky.mode = 'throwing'
    try {
      const results = await attempts(freshToken)
      for (const [what, result] of Object.entries(results)) {
        expectUnavailable(result, what)
        expect(result.headers['retry-after'], what).toBe('1')
      }
    } finally {
      flaky.mode = 'up'
    }
  })

  it('refuses with 503, never 401, wrong credentials it cannot check', async () => {
    flaky.mode = 'throwing'
    try {
      expectUnavailable(await getTest(server.url, basic(key.id, wrongSecret(key.secret))), 'wrong secret')
      expectUnavailable(await getTest(server.url, basic(`lk_${'D'.repeat(24)}`, key.secret)), 'unknown id')
    } finally {
      flaky.mode = 'up'
    }
  })

  it('answers every request again once the store is back', async () => {
    const freshToken = await getToken(server.url, key)
    flaky.mode = 'throwing'
    await getTest(server.url, basic(key.id, key.secret))
    flaky.mode = 'up'
    const results = await attempts(freshToken)
    expect(Object.values(results).map((result) => result.status)).toEqual([200, 200, 200, 200])
  })
})

describe('A key store that never answers', () => {
  const servers: TestServer[] = []

  afterAll(async () => {
    for (const server of servers) await server.stop()
  })

  /** A server whose store can hang, with storeTimeout 200 ms and a clock the test moves. */
  async function hangingSetup(): Promise<{
    server: TestServer
    flaky: FlakyStore
    key: TestKey
    cachedToken: string
    advance(ms: number): void
  }> {
    let clock = Date.now()
    let flaky: FlakyStore | undefined
    const server = await startServer({
      wrapStore: (store) => {
        flaky = new FlakyStore(store)
        return flaky
      },
      verifier: { storeTimeout: 200, now: () => clock },
    })
    servers.push(server)
    if (!flaky) throw new Error('The store was not wrapped.')
    const key = await createKey(server.manager, ['read'])
    const cachedToken = await getToken(server.url, key)
    expect((await getTest(server.url, `Bearer ${cachedToken}`)).status).toBe(200)
    return {
      server,
      flaky,
      key,
      cachedToken,
      advance: (ms) => {
        clock += ms
      },
    }
  }

  /** The request, or the error when it got no answer within `timeout` ms. */
  function bounded(server: TestServer, pathname: string, options: RequestOptions): Promise<HttpResult | Error> {
    return call(server.url, pathname, options).catch((error: unknown) => error as Error)
  }

  function tokenCall(key: TestKey, timeout: number): RequestOptions {
    return {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(key.id, key.secret) },
      body: 'grant_type=client_credentials',
      timeout,
    }
  }

  it('answers Basic, a cached Bearer token and token requests with 503 within about a second', async () => {
    const { server, flaky, key, cachedToken } = await hangingSetup()
    flaky.mode = 'hanging'
    try {
      for (const [what, options] of Object.entries({
        basic: { headers: { authorization: basic(key.id, key.secret) }, timeout: 2000 },
        cachedBearer: { headers: { authorization: `Bearer ${cachedToken}` }, timeout: 2000 },
      })) {
        const started = performance.now()
        const result = await bounded(server, '/api/test', options)
        expect({ what, status: 'status' in result ? result.status : result.message }).toEqual({ what, status: 503 })
        expect(performance.now() - started).toBeLessThan(1000)
      }
      const started = performance.now()
      const token = await bounded(server, '/oauth/token', tokenCall(key, 2000))
      expect('status' in token ? token.status : token.message).toBe(503)
      expect(performance.now() - started).toBeLessThan(1000)
    } finally {
      flaky.mode = 'up'
    }
  })

  it('answers Basic, Bearer and token requests again once the store answers', async () => {
    const { server, flaky, key, cachedToken } = await hangingSetup()
    flaky.mode = 'hanging'
    await bounded(server, '/api/test', { headers: { authorization: basic(key.id, key.secret) }, timeout: 2000 })
    flaky.mode = 'up'
    expect((await getTest(server.url, basic(key.id, key.secret))).status).toBe(200)
    expect((await getTest(server.url, `Bearer ${cachedToken}`)).status).toBe(200)
    expect((await bounded(server, '/oauth/token', tokenCall(key, 2000))) as HttpResult).toMatchObject({ status: 200 })
  })

  it('answers a token not yet cached with 503 within about a second when the store hangs after a minute of uptime', async () => {
    const { server, flaky, key, advance } = await hangingSetup()
    const freshToken = await getToken(server.url, key)
    // A minute later the verifier re-reads the signing keys (signingKeyRefreshInterval, default 60 s).
    advance(61_000)
    flaky.mode = 'hanging'
    try {
      const started = performance.now()
      const result = await bounded(server, '/api/test', {
        headers: { authorization: `Bearer ${freshToken}` },
        timeout: 2000,
      })
      expect('status' in result ? result.status : result.message).toBe(503)
      expect(performance.now() - started).toBeLessThan(1000)
    } finally {
      flaky.mode = 'up'
    }
  })

  it('answers token requests and new Bearer tokens again once the store answers, after it hung during a signing-key refresh', async () => {
    const { server, flaky, key, advance } = await hangingSetup()
    const freshToken = await getToken(server.url, key)
    advance(61_000)
    flaky.mode = 'hanging'
    await bounded(server, '/api/test', { headers: { authorization: `Bearer ${freshToken}` }, timeout: 1500 })
    flaky.mode = 'up'
    const [bearer, token] = await Promise.all([
      bounded(server, '/api/test', { headers: { authorization: `Bearer ${freshToken}` }, timeout: 2000 }),
      bounded(server, '/oauth/token', tokenCall(key, 2000)),
    ])
    expect({
      bearer: 'status' in bearer ? bearer.status : bearer.message,
      token: 'status' in token ? token.status : token.message,
    }).toEqual({ bearer: 200, token: 200 })
  })
})
