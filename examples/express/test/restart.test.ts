import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  call,
  cliCreateKey,
  createKey,
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
} from './harness.js'
import { decodeJwt } from './jwt.js'

const issuer = 'http://localhost:3000'

async function publishedKids(url: string): Promise<unknown[]> {
  const result = await call(url, '/.well-known/jwks.json')
  expect(result.status).toBe(200)
  return (json(result).keys as { kid: unknown }[]).map((jwk) => jwk.kid)
}

describe('A server restarted on the same database', () => {
  let dir: string
  let databaseUrl: string
  let first: ServerProcess | undefined
  let second: ServerProcess | undefined
  let key: TestKey
  let token: string
  let kidsBefore: unknown[]
  let firstExit: number | null

  beforeAll(async () => {
    dir = makeTempDir()
    databaseUrl = `sqlite:${dir}/latchkey.db`
    key = await cliCreateKey(databaseUrl, dir, 'read write')
    first = await spawnServer(databaseUrl, issuer)
    token = await getToken(first.url, key)
    expect((await getTest(first.url, `Bearer ${token}`)).status).toBe(200)
    kidsBefore = await publishedKids(first.url)
    firstExit = await first.stop()
    second = await spawnServer(databaseUrl, issuer)
  })

  afterAll(async () => {
    await first?.stop()
    await second?.stop()
    removeTempDir(dir)
  })

  it('shuts down cleanly on SIGTERM', () => {
    expect(firstExit).toBe(0)
  })

  it('accepts a token issued before the restart', async () => {
    const result = await getTest(second?.url ?? '', `Bearer ${token}`)
    expect(result.status).toBe(200)
    expect(json(result)).toMatchObject({ keyId: key.id, method: 'bearer' })
  })

  it('publishes the same signing key, the one the old token names', async () => {
    const kidsAfter = await publishedKids(second?.url ?? '')
    expect(kidsAfter).toEqual(kidsBefore)
    expect(kidsAfter).toContain(decodeJwt(token).header.kid)
  })

  it('signs new tokens with the same key and still accepts Basic', async () => {
    const url = second?.url ?? ''
    const fresh = await getToken(url, key)
    expect(decodeJwt(fresh).header.kid).toBe(decodeJwt(token).header.kid)
    expect((await getTest(url, basic(key.id, key.secret))).status).toBe(200)
  })
})

describe('Two servers on one database', () => {
  let first: TestServer
  let second: TestServer

  beforeAll(async () => {
    first = await startServer()
    second = await startServer({ shareDatabaseWith: first })
  })

  afterAll(async () => {
    await second?.stop()
    await first?.stop()
  })

  it('signs with the same key on both servers', async () => {
    const key = await createKey(first.manager)
    const fromFirst = decodeJwt(await getToken(first.url, key)).header.kid
    const fromSecond = decodeJwt(await getToken(second.url, key)).header.kid
    expect(fromSecond).toBe(fromFirst)
  })

  it('accepts on each server the tokens the other issued', async () => {
    const key = await createKey(second.manager)
    expect((await getTest(second.url, `Bearer ${await getToken(first.url, key)}`)).status).toBe(200)
    expect((await getTest(first.url, `Bearer ${await getToken(second.url, key)}`)).status).toBe(200)
  })

  it('refuses on one server a key revoked through the other', async () => {
    const key = await createKey(first.manager)
    const token = await getToken(second.url, key)
    await first.manager.revokeApiKey(key.id)
    expect((await getTest(second.url, `Bearer ${token}`)).status).toBe(401)
  })
})
