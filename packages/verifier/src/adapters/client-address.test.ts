import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createVerifier, MemoryKeyStore } from '../index.js'
import { createKeyManager } from '../manage/index.js'
import { withAuth } from './fetch.js'
import { authenticate, type LatchkeyEnv } from './hono.js'

const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`

async function setUp() {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  return { verifier: createVerifier({ store, issuer: 'https://api.latchkey.test' }), key }
}

describe('The Fetch-based adapters pass the client address to throttling', () => {
  it('Hono reads the socket address that @hono/node-server puts in c.env', async () => {
    const { verifier, key } = await setUp()
    const app = new Hono<LatchkeyEnv>().get('/r', authenticate(verifier), (c) => c.text('ok'))
    const call = (address: string, secret: string) =>
      app.request(
        '/r',
        { headers: { authorization: basic(key.id, secret) } },
        { incoming: { socket: { remoteAddress: address } } },
      )
    for (let index = 0; index < 10; index++) expect((await call('203.0.113.9', 'lksecret_wrong')).status).toBe(401)
    expect((await call('203.0.113.9', key.secret)).status).toBe(429)
    expect((await call('198.51.100.7', key.secret)).status).toBe(200)
  })

  it('withAuth takes the address from its clientAddress option', async () => {
    const { verifier, key } = await setUp()
    const handler = withAuth<[string]>(verifier, () => new Response('ok'), {
      clientAddress: (_request, address) => address,
    })
    const call = (address: string, secret: string) =>
      handler(
        new Request('https://api.latchkey.test/r', { headers: { authorization: basic(key.id, secret) } }),
        address,
      )
    for (let index = 0; index < 10; index++) expect((await call('203.0.113.9', 'lksecret_wrong')).status).toBe(401)
    expect((await call('203.0.113.9', key.secret)).status).toBe(429)
    expect((await call('198.51.100.7', key.secret)).status).toBe(200)
  })
})
