import { describe, expect, it } from 'vitest'
import { generateApiKeySecret, hashSecret, verifySecret } from '../basic/api-key.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'
import { createKeyManager } from './key-manager.js'

// Stormpath-shaped: a 25-character id of [0-9A-Z] and a 43-character base64 secret with + and /.
const stormpathId = '3XKPZ8QH2M7VJ4N6R1T9Y5W0B'
const stormpathSecret = 'k3P+9xQ/vR2mZ8wL5nT1bY7cF4hJ6dS0aG+eU/iO3qE'

async function setUp() {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store, { now: () => Date.UTC(2030, 0, 1) })
  const account = await manager.createAccount({ name: 'Acme' })
  return { store, manager, accountId: account.id }
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error('accepted')
    },
    (e: Error) => e,
  )
  expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
  return error
}

describe('importApiKey', () => {
  it('keeps a key by its id and secret: the secret verifies against the stored hash, and is not returned', async () => {
    const { store, manager, accountId } = await setUp()
    const key = await manager.importApiKey({
      accountId,
      id: stormpathId,
      secret: stormpathSecret,
      scopes: ['read'],
      name: 'legacy',
      description: 'from Stormpath',
      metadata: { origin: 'stormpath' },
      expiresAt: new Date('2031-01-01T00:00:00Z'),
    })
    expect(key).toEqual({
      id: stormpathId,
      accountId,
      scopes: ['read'],
      status: 'enabled',
      createdAt: new Date(Date.UTC(2030, 0, 1)),
      name: 'legacy',
      description: 'from Stormpath',
      metadata: { origin: 'stormpath' },
      expiresAt: new Date('2031-01-01T00:00:00Z'),
      replaces: null,
      replacedBy: null,
      rateLimits: [],
      credits: null,
    })
    expect(verifySecret(stormpathSecret, store.getApiKey(stormpathId)?.secretHash)).toBe(true)
    expect(JSON.stringify(key)).not.toContain(stormpathSecret)
  })

  it('keeps a key by its secret hash', async () => {
    const { store, manager, accountId } = await setUp()
    await manager.importApiKey({ accountId, id: 'legacy-1', secretHash: hashSecret(stormpathSecret) })
    expect(verifySecret(stormpathSecret, store.getApiKey('legacy-1')?.secretHash)).toBe(true)
    expect(verifySecret('wrong', store.getApiKey('legacy-1')?.secretHash)).toBe(false)
  })

  it('accepts a genuine Latchkey secret, and refuses a prefixed one that is not', async () => {
    const { manager, accountId } = await setUp()
    await manager.importApiKey({ accountId, id: 'moved-1', secret: generateApiKeySecret() })
    const forged = `lksecret_${'A'.repeat(49)}`
    const error = await refusal(manager.importApiKey({ accountId, id: 'moved-2', secret: forged }))
    expect(error.message).toMatch(/not one Latchkey issued/)
    expect(error.message).not.toContain(forged)
  })

  it('wants exactly one of secret and secretHash', async () => {
    const { manager, accountId } = await setUp()
    for (const options of [{}, { secret: 's', secretHash: hashSecret('s') }]) {
      const error = await refusal(manager.importApiKey({ accountId, id: 'k', ...options }))
      expect(error.message).toBe('Give exactly one of secret and secretHash.')
    }
  })

  it.each([
    ['an empty secret', { secret: '' }],
    ['a secret with a control character', { secret: 'abc\ndef' }],
    ['a secret of 257 characters', { secret: 'x'.repeat(257) }],
    ['a non-ASCII secret', { secret: 'pässword' }],
    ['a malformed hash', { secretHash: 'sha256:short' }],
    ['a hash of another kind', { secretHash: `md5:${'a'.repeat(43)}` }],
  ])('refuses %s, never repeating it', async (_, options) => {
    const { manager, accountId } = await setUp()
    const error = await refusal(manager.importApiKey({ accountId, id: 'k', ...options }))
    const given = Object.values(options)[0] ?? ''
    if (given.length > 3) expect(error.message).not.toContain(given)
  })

  it.each([
    ['a colon', 'a:b'],
    ['a leading space', ' ab'],
    ['a control character', 'a\tb'],
    ['the secret prefix', 'lksecret_abc'],
    ['257 characters', 'x'.repeat(257)],
    ['nothing', ''],
  ])('refuses an id with %s, without echoing it', async (_, id) => {
    const { manager, accountId } = await setUp()
    const error = await refusal(manager.importApiKey({ accountId, id, secret: stormpathSecret }))
    expect(error.message).toMatch(/^The id given cannot be imported/)
    expect(error.message).not.toContain(stormpathSecret)
  })

  it('refuses an id the store holds already, clearly', async () => {
    const { manager, accountId } = await setUp()
    const created = await manager.createApiKey({ accountId })
    const error = await refusal(manager.importApiKey({ accountId, id: created.id, secret: stormpathSecret }))
    expect(error.message).toBe(
      `An API key with the id "${created.id}" exists already; keys are imported once (update or rotate it instead).`,
    )
  })

  it('refuses a duplicate raced in by another writer, clearly', async () => {
    const { manager, accountId } = await setUp()
    const results = await Promise.allSettled(
      [1, 2].map(() => manager.importApiKey({ accountId, id: stormpathId, secret: stormpathSecret })),
    )
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected'])
    const rejected = results.find((result) => result.status === 'rejected')
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({
      message: expect.stringMatching(/exists already/),
    })
  })

  it('refuses an unknown or disabled account, and bad fields', async () => {
    const { manager, accountId } = await setUp()
    await expect(manager.importApiKey({ accountId: 'acct_none', id: 'k', secret: 's' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
    await refusal(manager.importApiKey({ accountId, id: 'k', secret: 's', metadata: { a: Number.NaN } }))
    await refusal(manager.importApiKey({ accountId, id: 'k', secret: 's', expiresAt: new Date(0) }))
    await manager.disableAccount(accountId)
    await refusal(manager.importApiKey({ accountId, id: 'k', secret: 's' }))
    expect(await manager.listApiKeys()).toEqual([])
  })
})
