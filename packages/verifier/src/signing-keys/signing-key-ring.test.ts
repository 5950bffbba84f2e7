import { describe, expect, it } from 'vitest'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { generateSigningKey } from './signing-key-generation.js'
import { SigningKeyRing } from './signing-key-ring.js'

async function setUp(refreshInterval = 60_000) {
  let clock = Date.UTC(2030, 0, 1)
  const store = new MemoryKeyStore()
  const record = await generateSigningKey('EdDSA', new Date(clock))
  await store.insertSigningKey(record)
  const ring = new SigningKeyRing({
    store,
    storeTimeout: 1000,
    algorithm: 'EdDSA',
    now: () => clock,
    refreshInterval,
  })
  return { store, ring, kid: record.kid, advance: (ms: number) => (clock += ms) }
}

describe('SigningKeyRing.verificationKeyNow', () => {
  it('answers only once the key has been loaded and imported, with the key verificationKey gave', async () => {
    const { ring, kid } = await setUp()
    expect(ring.verificationKeyNow(kid)).toBeUndefined()
    const loaded = await ring.verificationKey(kid)
    expect(loaded?.kid).toBe(kid)
    expect(ring.verificationKeyNow(kid)).toBe(loaded)
    expect(ring.verificationKeyNow('another-kid')).toBeUndefined()
  })

  it('stops answering for a key that has expired, while the ring is still fresh', async () => {
    const { store, ring, kid, advance } = await setUp()
    await ring.verificationKey(kid)
    await store.expireSigningKey(kid, new Date(Date.UTC(2030, 0, 1) + 5000))
    // The ring has not reloaded (its refresh interval is a minute): the expiry it holds is still `null`.
    expect(ring.verificationKeyNow(kid)).toBeDefined()
    ring.invalidate()
    expect(ring.verificationKeyNow(kid)).toBeUndefined()
    expect(await ring.verificationKey(kid)).toBeDefined()
    expect(ring.verificationKeyNow(kid)).toBeDefined()
    advance(5000)
    expect(ring.verificationKeyNow(kid)).toBeUndefined()
    expect(await ring.verificationKey(kid)).toBeUndefined()
  })

  it('defers to the store once the refresh interval has passed', async () => {
    const { ring, kid, advance } = await setUp(10_000)
    await ring.verificationKey(kid)
    advance(10_000)
    expect(ring.verificationKeyNow(kid)).toBeUndefined()
    await ring.verificationKey(kid)
    expect(ring.verificationKeyNow(kid)).toBeDefined()
  })
})
