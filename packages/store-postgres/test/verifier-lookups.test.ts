import { createKeyManager, generateApiKeyId, generateApiKeySecret, hashSecret } from '@latchkey/verifier/manage'
import { describe, expect, it } from 'vitest'
import { basic, useVerifierInstances } from './verifier-instances.js'

/**
 * A verifier on a real Postgres store, as one instance of several: its key lookups are remembered
 * (found keys and absent ids alike) while the change feed is live, and another instance's writes
 * reach it only through the feed.
 */

const { twoInstances, liveVerifier } = useVerifierInstances('lookups')

describe('A verifier on Postgres', () => {
  it('accepts a key created by another instance under an id it remembered absent, at the first request after the creation is announced', async () => {
    const { instance, other } = await twoInstances()
    const { verifier, reads, feed, close } = await liveVerifier(instance)
    const account = await createKeyManager(other).createAccount({ name: 'Acme' })
    const id = generateApiKeyId()
    const secret = generateApiKeySecret()
    const refused = await verifier.authenticate(basic(id, secret))
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error.reason).toBe('unknown_key')
    expect(reads).toHaveLength(1)
    // Remembered: no read while the feed is live.
    for (let i = 0; i < 3; i++) expect((await verifier.authenticate(basic(id, secret))).ok).toBe(false)
    expect(reads).toHaveLength(1)
    // As an operator restoring a key, or another instance, would: a chosen id, created elsewhere.
    await other.insertApiKey({
      id,
      accountId: account.id,
      secretHash: hashSecret(secret),
      scopes: ['read'],
      status: 'enabled',
      createdAt: new Date(),
      name: null,
      description: null,
      metadata: {},
      expiresAt: null,
      replaces: null,
      replacedBy: null,
    })
    await feed.next((event) => event.type === 'api-key' && event.id === id)
    const accepted = await verifier.authenticate(basic(id, secret))
    expect(accepted.ok).toBe(true)
    if (accepted.ok) expect(accepted.principal.keyId).toBe(id)
    await close()
  })

  it('accepts a key created by another instance at the first request after the creation is committed', async () => {
    const { instance, other } = await twoInstances()
    const { verifier, close } = await liveVerifier(instance)
    const manager = createKeyManager(other)
    const account = await manager.createAccount({ name: 'Acme' })
    for (let round = 0; round < 20; round++) {
      const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
      // No wait for the announcement: a new id was never remembered absent, so it is read.
      expect((await verifier.authenticate(basic(key.id, key.secret))).ok).toBe(true)
    }
    await close()
  })

  it('balances a miss with a read of the other kind, and answers a hit with no read, whether the id exists or not', async () => {
    const { instance, other } = await twoInstances()
    const manager = createKeyManager(other)
    const account = await manager.createAccount({ name: 'Acme' })
    const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    const { verifier, reads, close } = await liveVerifier(instance)
    const known = basic(key.id, key.secret)
    const unknown = basic(generateApiKeyId(), key.secret)
    expect((await verifier.authenticate(known)).ok).toBe(true)
    expect((await verifier.authenticate(unknown)).ok).toBe(false)
    expect(reads.map((read) => read.found)).toEqual([true, false, false, true])
    // The unknown id's companion read is of the last key found.
    expect(reads[3]?.id).toBe(key.id)
    reads.length = 0
    for (let i = 0; i < 3; i++) {
      expect((await verifier.authenticate(known)).ok).toBe(true)
      expect((await verifier.authenticate(unknown)).ok).toBe(false)
    }
    expect(reads).toEqual([])
    await close()
  })

  it('holds found keys and absent ids under one bound and one least-recently-used order', async () => {
    const { instance, other } = await twoInstances()
    const manager = createKeyManager(other)
    const account = await manager.createAccount({ name: 'Acme' })
    const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    const { verifier, reads, close } = await liveVerifier(instance, { keyStatusCacheSize: 2 })
    const known = basic(key.id, key.secret)
    const [first, second] = [basic(generateApiKeyId(), key.secret), basic(generateApiKeyId(), key.secret)]
    await verifier.authenticate(known)
    await verifier.authenticate(first)
    await verifier.authenticate(second)
    reads.length = 0
    // Two absent ids pushed the known key out...
    await verifier.authenticate(second)
    await verifier.authenticate(first)
    expect(reads).toEqual([])
    await verifier.authenticate(known)
    expect(reads.map((read) => read.found)).toEqual([true, false])
    reads.length = 0
    // ...and the known key, back, pushed out the absent id least recently used.
    await verifier.authenticate(first)
    expect(reads).toEqual([])
    await verifier.authenticate(second)
    expect(reads.map((read) => read.found)).toEqual([false, true])
    await close()
  })
})
