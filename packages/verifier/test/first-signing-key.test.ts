import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifier, type KeyStore, MemoryKeyStore, type Verifier } from '../src/index.js'
import { createKeyManager } from '../src/manage/index.js'
import { respond } from './respond.js'

/**
 * Issue 17, item 6: on a store without a signing key, concurrent first token requests each
 * generated and stored a key of their own (32 requests, 32 keys in the JWKS).
 */

const issuer = 'https://api.latchkey.test'

/** A store with an account and one API key, and the Basic credentials of that key. */
async function storeWithKey(store: MemoryKeyStore = new MemoryKeyStore()) {
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Acme Ltd' })
  const { id, secret } = await manager.createApiKey({ accountId: account.id })
  return { store, authorization: `Basic ${btoa(`${id}:${secret}`)}` }
}

/** The `kid` of the token each of `count` token requests, all sent at once, got from `verifier`. */
async function raceFirstTokens(verifier: Verifier, authorization: string, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const response = await respond(
        verifier,
        new Request(`${issuer}/oauth/token`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        }),
      )
      expect(response.status).toBe(200)
      const { access_token } = (await response.json()) as { access_token: string }
      return decodeProtectedHeader(access_token).kid ?? ''
    }),
  )
}

/** `store` as an older store sees it: without `insertFirstSigningKey`, its inserts counted. */
function olderStore(store: MemoryKeyStore): { store: KeyStore; inserts: () => number } {
  let inserts = 0
  const older: KeyStore = new Proxy(store, {
    get(target, property) {
      if (property === 'insertFirstSigningKey') return undefined
      if (property === 'insertSigningKey') {
        return (...args: Parameters<KeyStore['insertSigningKey']>) => {
          inserts += 1
          return target.insertSigningKey(...args)
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      // The store's methods use its private fields, so they are called on it, not on the proxy.
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { store: older, inserts: () => inserts }
}

describe('the first signing key of a verifier', () => {
  it('signs all 32 first tokens racing on an empty store with one key, the only one in the JWKS', async () => {
    const { store, authorization } = await storeWithKey()
    const verifier = createVerifier({ store, issuer })
    const kids = await raceFirstTokens(verifier, authorization, 32)
    const listed = store.listSigningKeys()
    expect(listed).toHaveLength(1)
    expect(new Set(kids)).toEqual(new Set([listed[0]?.kid]))
    const jwks = (await (await respond(verifier, new Request(`${issuer}/.well-known/jwks.json`))).json()) as {
      keys: { kid: string }[]
    }
    expect(jwks.keys.map((key) => key.kid)).toEqual([listed[0]?.kid])
  })

  it('generates and inserts one key for 32 racing first requests on a store without insertFirstSigningKey', async () => {
    const { store, authorization } = await storeWithKey()
    const older = olderStore(store)
    const verifier = createVerifier({ store: older.store, issuer })
    const kids = await raceFirstTokens(verifier, authorization, 32)
    expect(older.inserts()).toBe(1)
    expect(store.listSigningKeys()).toHaveLength(1)
    expect(new Set(kids).size).toBe(1)
  })

  it('signs with the key another verifier on the store inserted first', async () => {
    const { store, authorization } = await storeWithKey()
    const first = createVerifier({ store, issuer })
    const second = createVerifier({ store, issuer })
    const [firstKids, secondKids] = await Promise.all([
      raceFirstTokens(first, authorization, 8),
      raceFirstTokens(second, authorization, 8),
    ])
    expect(store.listSigningKeys()).toHaveLength(1)
    expect(new Set([...firstKids, ...secondKids]).size).toBe(1)
  })
})
