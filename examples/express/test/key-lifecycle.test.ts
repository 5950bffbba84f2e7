import * as fs from 'node:fs'
import * as path from 'node:path'
import { createClient } from '@latchkey/client/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  call,
  cli,
  createKey,
  createRefusedKeys,
  expectIdenticalAnswers,
  getTest,
  getToken,
  json,
  sleep,
  startServer,
  type TestServer,
  tokenRequest,
} from './harness.js'
import { decodeJwt } from './jwt.js'

// A key's lifecycle over real HTTP, against the example API on a real SQLite file: expiry, rotation
// with an overlap, scope changes and imported keys. Expiries are a few seconds long, so each wait is
// bounded and short.

let server: TestServer

beforeAll(async () => {
  server = await startServer()
})

afterAll(async () => {
  await server?.stop()
})

function bearer(token: string): string {
  return `Bearer ${token}`
}

/** Waits until `instant` (ms since the epoch) has passed, with a margin for the server's clock reads. */
async function waitPast(instant: Date): Promise<void> {
  await sleep(Math.max(0, instant.getTime() - Date.now()) + 50)
}

describe('expiry', () => {
  it('lets an expiring key in until its instant, then refuses it and its tokens as it refuses a revoked key', async () => {
    const key = await createKey(server.manager, ['read', 'write'])
    const expiresAt = new Date(Date.now() + 2_500)
    await server.manager.updateApiKey(key.id, { expiresAt })
    const token = await getToken(server.url, key)
    expect((await getTest(server.url, basic(key.id, key.secret))).status).toBe(200)
    expect((await getTest(server.url, bearer(token))).status).toBe(200)

    await waitPast(expiresAt)
    const { revoked } = await createRefusedKeys(server.manager)
    const revokedToken = await getTest(server.url, basic(revoked.id, revoked.secret))
    expectIdenticalAnswers(revokedToken, { expiredBasic: await getTest(server.url, basic(key.id, key.secret)) })
    const afterExpiry = await getTest(server.url, bearer(token))
    expect(afterExpiry.status).toBe(401)
    expect(afterExpiry.headers['www-authenticate']).toContain('error="invalid_token"')
    const tokenAnswer = await tokenRequest(
      server.url,
      { grant_type: 'client_credentials' },
      { authorization: basic(key.id, key.secret) },
    )
    expect(tokenAnswer.status).toBe(401)
    expect(json(tokenAnswer).error).toBe('invalid_client')
    expect(server.events.filter((event) => event.keyId === key.id).map((event) => event.reason)).toContain(
      'key_expired',
    )
  })

  it("cuts expires_in and exp to the key's remaining life", async () => {
    const key = await createKey(server.manager)
    const expiresAt = new Date(Date.now() + 90_000)
    await server.manager.updateApiKey(key.id, { expiresAt })
    const answer = await tokenRequest(
      server.url,
      { grant_type: 'client_credentials' },
      { authorization: basic(key.id, key.secret) },
    )
    expect(answer.status).toBe(200)
    const expiresIn = Number(json(answer).expires_in)
    expect(expiresIn).toBeGreaterThan(85)
    expect(expiresIn).toBeLessThanOrEqual(90)
    const { claims } = decodeJwt(String(json(answer).access_token))
    expect(Number(claims.exp) - Number(claims.iat)).toBe(expiresIn)
    expect(Number(claims.exp) * 1000).toBeLessThanOrEqual(expiresAt.getTime())
  })
})

describe('rotation with an overlap', () => {
  it('lets both keys in during the overlap, then only the new one, and ends the old key tokens with it', async () => {
    const old = await createKey(server.manager, ['read', 'write'])
    await server.manager.updateApiKey(old.id, { name: 'production', metadata: { plan: 'pro' } })
    const oldToken = await getToken(server.url, old)
    const { previous, key } = await server.manager.rotateApiKey(old.id, { overlap: 2_000 })
    expect(key).toMatchObject({ name: 'production', metadata: { plan: 'pro' }, scopes: ['read', 'write'] })
    expect(key.replaces).toBe(old.id)
    expect(previous.replacedBy).toBe(key.id)

    expect((await getTest(server.url, basic(old.id, old.secret))).status).toBe(200)
    expect((await getTest(server.url, bearer(oldToken))).status).toBe(200)
    expect((await getTest(server.url, basic(key.id, key.secret))).status).toBe(200)
    const newToken = await getToken(server.url, key)

    await waitPast(previous.expiresAt ?? new Date())
    expect((await getTest(server.url, basic(old.id, old.secret))).status).toBe(401)
    expect((await getTest(server.url, bearer(oldToken))).status).toBe(401)
    expect((await getTest(server.url, basic(key.id, key.secret))).status).toBe(200)
    expect((await getTest(server.url, bearer(newToken))).status).toBe(200)
  })
})

describe('scope changes', () => {
  it('refuses a token issued before a narrowing with 403 insufficient_scope', async () => {
    const key = await createKey(server.manager, ['read', 'write'])
    const token = await getToken(server.url, key)
    const write = () => call(server.url, '/api/test', { method: 'POST', headers: { authorization: bearer(token) } })
    expect((await write()).status).toBe(200)
    await server.manager.updateApiKey(key.id, { scopes: ['read'] })
    const refused = await write()
    expect(refused.status).toBe(403)
    expect(refused.headers['www-authenticate']).toContain('error="insufficient_scope"')
    const byBasic = await call(server.url, '/api/test', {
      method: 'POST',
      headers: { authorization: basic(key.id, key.secret) },
    })
    expect(byBasic.status).toBe(403)
    expect((await getTest(server.url, bearer(token))).status).toBe(200)
  })
})

describe('imported keys', () => {
  // A Stormpath key: 25 characters of [0-9A-Z], and a 43-character base64 secret with `+` and `/`.
  const stormpath = { id: '7KQ2M9XJ4ZB1T8VWN3RC5HY0D', secret: 'q8/Uz+L3kPw7nR2xY5aH9+bE4vT6mJ1sC0dF/gK2hNo' }

  beforeAll(async () => {
    const { accountId } = await createKey(server.manager, ['read'])
    await server.manager.importApiKey({ accountId, id: stormpath.id, secret: stormpath.secret, scopes: ['read'] })
  })

  it('authenticates by Basic', async () => {
    const answer = await getTest(server.url, basic(stormpath.id, stormpath.secret))
    expect(answer.status).toBe(200)
    expect(json(answer).keyId).toBe(stormpath.id)
  })

  it('gets a token with client_secret_basic, raw as Stormpath clients sent it or form-encoded, and with client_secret_post', async () => {
    const form = { grant_type: 'client_credentials' }
    const raw = await tokenRequest(server.url, form, { authorization: basic(stormpath.id, stormpath.secret) })
    expect(raw.status).toBe(200)
    const encoded = basic(encodeURIComponent(stormpath.id), encodeURIComponent(stormpath.secret))
    expect((await tokenRequest(server.url, form, { authorization: encoded })).status).toBe(200)
    const post = await tokenRequest(server.url, { ...form, client_id: stormpath.id, client_secret: stormpath.secret })
    expect(post.status).toBe(200)
    expect((await getTest(server.url, bearer(String(json(post).access_token)))).status).toBe(200)
  })

  it('works with the client SDK, unchanged, from an apiKey.properties file imported with the CLI', async () => {
    const file = path.join(server.dir, 'stormpath.properties')
    // As Stormpath wrote them, with a comment and `=` separators.
    fs.writeFileSync(
      file,
      `# Stormpath API key\napiKey.id = 0A1B2C3D4E5F6G7H8J9K0L1M2\napiKey.secret = ${stormpath.secret}\n`,
    )
    const databaseUrl = `sqlite:${path.join(server.dir, 'latchkey.db')}`
    const accountId = await cli(['accounts', 'create', '--name', 'Imported'], databaseUrl)
    const id = await cli(
      ['keys', 'import', '--account', accountId, '--from', file, '--scope', 'read write'],
      databaseUrl,
    )
    expect(id).toBe('0A1B2C3D4E5F6G7H8J9K0L1M2')
    for (const mode of ['basic', 'client_credentials'] as const) {
      const client = createClient({ mode, baseUrl: server.url, apiKeyFile: file })
      const response = await client.fetch('/api/test')
      expect(response.status).toBe(200)
      expect(((await response.json()) as { keyId: string }).keyId).toBe(id)
      await client.close()
    }
  })
})
