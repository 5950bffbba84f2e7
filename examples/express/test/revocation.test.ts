import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  cli,
  cliCreateKey,
  getTest,
  getToken,
  json,
  makeTempDir,
  removeTempDir,
  type ServerProcess,
  spawnServer,
  startServer,
  type TestKey,
  type TestServer,
  tokenRequest,
  waitUntil,
} from './harness.js'

interface Access {
  readonly basic: number
  readonly bearer: number
  readonly token: number
}

/** What the three ways in answer for `key` right now: Basic, an issued token, and a token request. */
async function access(url: string, key: TestKey, token: string): Promise<Access> {
  const [basicResult, bearerResult, tokenResult] = await Promise.all([
    getTest(url, basic(key.id, key.secret)),
    getTest(url, `Bearer ${token}`),
    tokenRequest(url, { grant_type: 'client_credentials' }, { authorization: basic(key.id, key.secret) }),
  ])
  return { basic: basicResult.status, bearer: bearerResult.status, token: tokenResult.status }
}

const allowed: Access = { basic: 200, bearer: 200, token: 200 }
const refused: Access = { basic: 401, bearer: 401, token: 401 }

describe('Revocation in one process', () => {
  let server: TestServer

  beforeAll(async () => {
    server = await startServer()
  })

  afterAll(async () => {
    await server?.stop()
  })

  async function keyWithToken(): Promise<{ key: TestKey; token: string }> {
    const key = await createKeyFor(server)
    const token = await getToken(server.url, key)
    expect(await access(server.url, key, token)).toEqual(allowed)
    return { key, token }
  }

  it('refuses Basic, token requests and an issued token at the very next request after the key is revoked', async () => {
    const { key, token } = await keyWithToken()
    await server.manager.revokeApiKey(key.id)
    expect(await access(server.url, key, token)).toEqual(refused)
    expect(json(await getTest(server.url, `Bearer ${token}`)).error).toBe('invalid_token')
  })

  it('refuses all three at the very next request after the key is disabled', async () => {
    const { key, token } = await keyWithToken()
    await server.manager.disableApiKey(key.id)
    expect(await access(server.url, key, token)).toEqual(refused)
  })

  it('refuses all three at the very next request after the account is disabled', async () => {
    const { key, token } = await keyWithToken()
    await server.manager.disableAccount(key.accountId)
    expect(await access(server.url, key, token)).toEqual(refused)
  })

  it('accepts the unexpired token again once a disabled key is enabled', async () => {
    const { key, token } = await keyWithToken()
    await server.manager.disableApiKey(key.id)
    expect(await access(server.url, key, token)).toEqual(refused)
    await server.manager.enableApiKey(key.id)
    expect(await access(server.url, key, token)).toEqual(allowed)
  })

  it('accepts the key again once a disabled account is enabled', async () => {
    const { key, token } = await keyWithToken()
    await server.manager.disableAccount(key.accountId)
    await server.manager.enableAccount(key.accountId)
    expect(await access(server.url, key, token)).toEqual(allowed)
  })

  it('keeps a revoked key revoked: enabling it fails and nothing gets through', async () => {
    const { key, token } = await keyWithToken()
    await server.manager.revokeApiKey(key.id)
    await expect(server.manager.enableApiKey(key.id)).rejects.toMatchObject({ code: 'ERR_KEY_REVOKED' })
    await server.manager.disableApiKey(key.id).catch(() => undefined)
    await expect(server.manager.enableApiKey(key.id)).rejects.toMatchObject({ code: 'ERR_KEY_REVOKED' })
    expect((await server.manager.getApiKey(key.id)).status).toBe('revoked')
    expect(await access(server.url, key, token)).toEqual(refused)
  })
})

async function createKeyFor(server: TestServer): Promise<TestKey> {
  const account = await server.manager.createAccount({ name: 'Revocation' })
  const key = await server.manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  return { accountId: account.id, id: key.id, secret: key.secret }
}

describe('Revocation across processes: the real CLI and a spawned server on one SQLite file', () => {
  let dir: string
  let databaseUrl: string
  let server: ServerProcess | undefined

  beforeAll(async () => {
    dir = makeTempDir()
    databaseUrl = `sqlite:${dir}/latchkey.db`
    // The CLI creates the database first, so the server opens an existing file.
    await cli(['accounts', 'create', '--name', 'Setup'], databaseUrl)
    server = await spawnServer(databaseUrl, 'http://localhost:3000')
  })

  afterAll(async () => {
    await server?.stop()
    removeTempDir(dir)
  })

  async function refusedWithinOneSecond(key: TestKey, token: string, command: readonly string[]): Promise<void> {
    const url = server?.url ?? ''
    expect(await access(url, key, token)).toEqual(allowed)
    await cli(command, databaseUrl)
    // Both a Basic request and the issued token must fail; polled every 20 ms from the moment the CLI exited.
    const elapsed = await waitUntil(async () => {
      const [basicResult, bearerResult] = await Promise.all([
        getTest(url, basic(key.id, key.secret)),
        getTest(url, `Bearer ${token}`),
      ])
      return basicResult.status === 401 && bearerResult.status === 401
    }, 5000)
    expect(elapsed).toBeLessThan(1000)
    expect(await access(url, key, token)).toEqual(refused)
  }

  it('refuses the key and its token within 1 s after `latchkey keys revoke` exits', async () => {
    const key = await cliCreateKey(databaseUrl, dir, 'read', 'revoke.properties')
    const token = await getToken(server?.url ?? '', key)
    await refusedWithinOneSecond(key, token, ['keys', 'revoke', key.id])
  })

  it('refuses the key and its token within 1 s after `latchkey accounts disable` exits', async () => {
    const key = await cliCreateKey(databaseUrl, dir, 'read', 'disable.properties')
    const token = await getToken(server?.url ?? '', key)
    await refusedWithinOneSecond(key, token, ['accounts', 'disable', key.accountId])
  })
})
