import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PostgresCluster, startPostgres } from '../../store-postgres/test/postgres-cluster.js'
import type { OwnedProcess } from './child-process.js'
import { basicAuthorization, type CliKey, cliKeyStore } from './cli-key-store.js'
import { startLatchkeyServe } from './latchkey-serve.js'

// Two `latchkey serve` instances on one real Postgres, as two replicas behind a load balancer: a
// token revoked at one (RFC 7009) is refused by the other within the store's bound.
const issuer = 'https://gateway.test'
const directory = mkdtempSync(join(tmpdir(), 'latchkey-revocation-'))
let cluster: PostgresCluster
let gateways: { url: string; process: OwnedProcess }[] = []
let client: CliKey
let other: CliKey
let resourceServer: CliKey

beforeAll(async () => {
  cluster = await startPostgres()
  const databaseUrl = await cluster.createDatabase('latchkey_revocation')
  const keys = cliKeyStore(directory, databaseUrl)
  const account = await keys.createAccount('Acme')
  ;[client, other, resourceServer] = await Promise.all([
    keys.createKey(account, ['read']),
    keys.createKey(account, ['read']),
    keys.createKey(account, ['latchkey:introspect']),
  ])
  const routes = { routes: [] }
  // One after the other: the first makes the signing key, the second adopts it.
  gateways.push(await startLatchkeyServe({ directory, databaseUrl, issuer, routes }))
  gateways.push(await startLatchkeyServe({ directory, databaseUrl, issuer, routes }))
}, 60_000)

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.process.stop()))
  gateways = []
  await cluster?.destroy()
  rmSync(directory, { recursive: true, force: true })
})

const form = (url: string, path: string, body: Record<string, string>, authorization: string) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  })

async function issue(url: string, key: CliKey): Promise<string> {
  const response = await form(
    url,
    '/oauth/token',
    { grant_type: 'client_credentials' },
    basicAuthorization(key.id, key.secret),
  )
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}

/** The status `/auth/caddy` answers for a request with `token`, as Caddy's `forward_auth` asks. */
async function decision(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/auth/caddy`, {
    headers: { authorization: `Bearer ${token}`, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/api/things' },
  })
  await response.arrayBuffer()
  return response.status
}

async function introspect(url: string, token: string): Promise<Record<string, unknown>> {
  const response = await form(
    url,
    '/oauth/introspect',
    { token },
    basicAuthorization(resourceServer.id, resourceServer.secret),
  )
  return (await response.json()) as Record<string, unknown>
}

describe('Token revocation across two latchkey serve instances on one Postgres (RFC 7009)', () => {
  it('refuses a token revoked at one instance at the other, within the bound, and leaves other tokens alone', async () => {
    const [first, second] = gateways.map((gateway) => gateway.url) as [string, string]
    const [revoked, kept] = await Promise.all([issue(first, client), issue(first, client)])
    expect(await decision(second, revoked)).toBe(200)
    expect(await introspect(second, revoked)).toMatchObject({ active: true, client_id: client.id })

    // RFC 7009 §2.1's example: the hint names another type; the server looks further by itself.
    const response = await form(
      first,
      '/oauth/revoke',
      { token: revoked, token_type_hint: 'refresh_token' },
      basicAuthorization(client.id, client.secret),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')

    const revokedAt = performance.now()
    let status = await decision(second, revoked)
    while (status === 200 && performance.now() - revokedAt < 2000) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      status = await decision(second, revoked)
    }
    expect(status, 'the second instance refuses the revoked token within 2 s').toBe(401)
    expect(await decision(first, revoked)).toBe(401)
    expect(await introspect(second, revoked)).toEqual({ active: false })
    expect(await decision(second, kept)).toBe(200)
  })

  it("leaves another client's token alone, answering as for no token at all", async () => {
    const [first, second] = gateways.map((gateway) => gateway.url) as [string, string]
    const issued = await issue(first, client)
    const response = await form(second, '/oauth/revoke', { token: issued }, basicAuthorization(other.id, other.secret))
    expect([response.status, await response.text()]).toEqual([200, '{}'])
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await decision(first, issued)).toBe(200)
    expect(await decision(second, issued)).toBe(200)
  })

  it('answers a request without client credentials with 401 invalid_client (RFC 7009 §2.2.1)', async () => {
    const [first] = gateways.map((gateway) => gateway.url) as [string]
    const response = await fetch(`${first}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=abc',
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="api", charset="UTF-8"')
    expect(await response.json()).toMatchObject({ error: 'invalid_client' })
  })
})
