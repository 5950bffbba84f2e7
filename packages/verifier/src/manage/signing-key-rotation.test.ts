import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { respond } from '../../test/respond.js'
import { createVerifier } from '../index.js'
import type { KeyStore } from '../store/key-store.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createKeyManager } from './key-manager.js'
import { listSigningKeys, rotateSigningKey } from './signing-key-rotation.js'

const issuer = 'https://api.example.test'

async function setUp() {
  let clock = Date.UTC(2030, 0, 1)
  const now = () => clock
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id })
  // Two instances on one store; a refresh interval shorter than the activation delay, as documented.
  const instances = [1, 2].map(() => createVerifier({ store, issuer, now, signingKeyRefreshInterval: 10_000 }))
  async function token(index: number): Promise<string> {
    const verifier = instances[index]
    if (!verifier) throw new Error(`No instance ${index}.`)
    const response = await respond(
      verifier,
      new Request(`${issuer}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${btoa(`${key.id}:${key.secret}`)}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      }),
    )
    return String(((await response.json()) as { access_token: string }).access_token)
  }
  async function acceptedByAll(accessToken: string): Promise<boolean> {
    const results = await Promise.all(
      instances.map((verifier) => verifier.authenticate({ authorization: [`Bearer ${accessToken}`] })),
    )
    return results.every((result) => result.ok)
  }
  return { store, now, instances, token, acceptedByAll, advance: (ms: number) => (clock += ms) }
}

describe('rotateSigningKey', () => {
  it('publishes the new key before any instance signs with it, and keeps the old one verifying its tokens', async () => {
    const { store, now, instances, token, acceptedByAll, advance } = await setUp()
    const old = await token(0)
    const oldKid = decodeProtectedHeader(old).kid
    const { added, retired } = await rotateSigningKey(store, { activationDelay: 30_000, tokenLifetime: 3600, now })
    expect(added.state).toBe('pending')
    expect(retired.map((key) => key.kid)).toEqual([oldKid])
    expect(retired[0]?.expiresAt?.getTime()).toBe(now() + 30_000 + (3600 + 60) * 1000)

    advance(10_000)
    for (const verifier of instances) {
      expect((await verifier.jwks()).keys.map((jwk) => jwk.kid)).toContain(added.kid)
    }
    expect(decodeProtectedHeader(await token(1)).kid).toBe(oldKid)

    advance(20_000)
    const fresh = await token(1)
    expect(decodeProtectedHeader(fresh).kid).toBe(added.kid)
    expect(await acceptedByAll(fresh)).toBe(true)
    expect(await acceptedByAll(old)).toBe(true)
    // The last token the old key signed ends 3600 s after activation: still valid just before that.
    advance(3600_000 - 1000)
    expect(await acceptedByAll(await token(0))).toBe(true)
  })

  it('retires the old key once its last token has expired', async () => {
    const { store, now, token, acceptedByAll, advance } = await setUp()
    const old = await token(0)
    await rotateSigningKey(store, { activationDelay: 0, tokenLifetime: 60, clockTolerance: 5, now })
    advance(65_001)
    expect(await acceptedByAll(old)).toBe(false)
    expect((await listSigningKeys(store, { now })).map((key) => key.state)).toEqual(['expired', 'active'])
  })

  it('lists pending, active, retiring and expired keys with their state', async () => {
    const { store, now, token, advance } = await setUp()
    await token(0)
    await rotateSigningKey(store, { activationDelay: 0, tokenLifetime: 60, clockTolerance: 0, now })
    advance(1000)
    await rotateSigningKey(store, { activationDelay: 0, tokenLifetime: 600, clockTolerance: 0, now })
    advance(1000)
    await rotateSigningKey(store, { activationDelay: 60_000, now })
    advance(59_000)
    const states = (await listSigningKeys(store, { now })).map((key) => key.state)
    expect(states).toEqual(['expired', 'retiring', 'active', 'pending'])
  })

  it('lets a later rotation supersede a key still pending from an earlier one', async () => {
    const { store, now, token, advance } = await setUp()
    await token(0)
    const first = await rotateSigningKey(store, { activationDelay: 60_000, now })
    const second = await rotateSigningKey(store, { activationDelay: 0, now })
    advance(61_000)
    expect(decodeProtectedHeader(await token(0)).kid).toBe(second.added.kid)
    expect(second.retired.map((key) => key.kid)).toContain(first.added.kid)
  })

  it('never shows a private key', async () => {
    const { store, now, token } = await setUp()
    await token(0)
    const rotation = await rotateSigningKey(store, { now })
    expect(JSON.stringify([rotation, await listSigningKeys(store)])).not.toMatch(/"d"|privateJwk/)
  })

  it('refuses a store that cannot expire signing keys, and an out-of-range delay', async () => {
    const inner = new MemoryKeyStore()
    const store: KeyStore = {
      ...Object.fromEntries(
        ['findApiKey', 'listSigningKeys', 'insertSigningKey'].map((name) => [
          name,
          (...args: unknown[]) =>
            (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[name]?.apply(inner, args),
        ]),
      ),
    } as unknown as KeyStore
    await expect(rotateSigningKey(store)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    await expect(rotateSigningKey(inner, { activationDelay: -1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
