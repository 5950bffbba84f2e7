import { type ApiKeyCredential, MemoryKeyStore, type SigningKeyRecord } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { basic, startGateway } from './gateway.js'

/** A store that stops answering while `down` is set, as a database that went away. */
class OutageStore extends MemoryKeyStore {
  down = false

  override findApiKey(id: string): ApiKeyCredential | undefined {
    if (this.down) throw new Error('connection refused')
    return super.findApiKey(id)
  }

  override listSigningKeys(): SigningKeyRecord[] {
    if (this.down) throw new Error('connection refused')
    return super.listSigningKeys()
  }
}

const store = new OutageStore()
const gateway = startGateway([{ method: 'GET', path: '/public/*', auth: { kind: 'none' } }], store)

describe('a key store that fails', () => {
  it('answers 503 with Retry-After, never 200 and never 401, and /readyz says so', async () => {
    const key = await gateway.createKey(['read'])
    store.down = true
    try {
      const response = await fetch(`${gateway.url()}/auth/traefik`, {
        headers: { authorization: basic(key), 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/api/x' },
      })
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toBe('1')
      const ready = await fetch(`${gateway.url()}/readyz`)
      expect([ready.status, ready.headers.get('content-type')]).toEqual([503, 'application/problem+json'])
      // A route that needs no credentials needs no store either.
      const open = await fetch(`${gateway.url()}/auth/traefik`, {
        headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/public/a' },
      })
      expect(open.status).toBe(200)
    } finally {
      store.down = false
    }
    const back = await fetch(`${gateway.url()}/auth/traefik`, {
      headers: { authorization: basic(key), 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/api/x' },
    })
    expect(back.status).toBe(200)
  })
})
