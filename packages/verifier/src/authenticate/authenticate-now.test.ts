import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fuzzRuns } from '../../test/fuzz-runs.js'
import { respond } from '../../test/respond.js'
import { wrongSecret } from '../../test/wrong-secret.js'
import { type AuthenticationResult, createVerifier, type Verifier, type VerifierOptions } from '../index.js'
import { createKeyManager } from '../manage/key-manager.js'
import type { KeyStore } from '../store/key-store.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'

const issuer = 'https://api.example.test'

/**
 * A memory store with an honest change version, as SQLite's: every write moves it. Counts key reads,
 * so a test can tell an answer from memory from one through the store.
 */
function versionedStore() {
  const inner = new MemoryKeyStore()
  let version = 0
  let reads = 0
  const methods = Object.getOwnPropertyNames(MemoryKeyStore.prototype).filter((name) => name !== 'constructor')
  const record = inner as unknown as Record<string, (...args: unknown[]) => unknown>
  const store = Object.fromEntries(
    methods.map((name) => [
      name,
      (...args: unknown[]) => {
        if (name === 'findApiKey') reads++
        else if (!/^(get|list)/.test(name)) version++
        return record[name]?.apply(inner, args)
      },
    ]),
  ) as unknown as KeyStore
  return { store: Object.assign(store, { changeVersion: () => version }), reads: () => reads }
}

async function setUp(options: Partial<VerifierOptions> = {}) {
  const { store, reads } = versionedStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
  const verifier = createVerifier({ store, issuer, ...options })
  const basic = (secret = key.secret, id = key.id) => ({ authorization: [`Basic ${btoa(`${id}:${secret}`)}`] })
  const response = await respond(
    verifier,
    new Request(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic().authorization[0] ?? '', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=read',
    }),
  )
  const { access_token: token } = (await response.json()) as { access_token: string }
  return { store, reads, manager, account, key, verifier, basic, bearer: { authorization: [`Bearer ${token}`] } }
}

function isPending(result: AuthenticationResult | Promise<AuthenticationResult>): boolean {
  return result instanceof Promise
}

describe('answers from memory', () => {
  it('answers a repeated correct secret at once, with no store read, and with the principal the store gave', async () => {
    const { verifier, basic, reads } = await setUp()
    const first = verifier.authenticateNow(basic())
    expect(isPending(first)).toBe(true)
    const throughStore = await first
    const readsBefore = reads()
    const atOnce = verifier.authenticateNow(basic())
    expect(isPending(atOnce)).toBe(false)
    expect(atOnce).toEqual(throughStore)
    expect(throughStore).toMatchObject({ ok: true, principal: { method: 'basic', scopes: ['read', 'write'] } })
    expect(reads()).toBe(readsBefore)
    // The public method gives the same answer, as a promise.
    await expect(verifier.authenticate(basic())).resolves.toEqual(throughStore)
  })

  it('answers a reused token at once, its scopes still cut to the key', async () => {
    const { verifier, bearer } = await setUp()
    // The verified-token cache remembers a token from its second verification on.
    await verifier.authenticateNow(bearer)
    const throughStore = await verifier.authenticateNow(bearer)
    const atOnce = verifier.authenticateNow(bearer)
    expect(isPending(atOnce)).toBe(false)
    expect(atOnce).toEqual(throughStore)
    expect(throughStore).toMatchObject({ ok: true, principal: { method: 'bearer', scopes: ['read'] } })
  })

  it('refuses a revoked key at the next request, secret and token remembered or not', async () => {
    const { verifier, basic, bearer, manager, key } = await setUp()
    for (const input of [basic(), bearer]) {
      await verifier.authenticateNow(input)
      await verifier.authenticateNow(input)
      expect(isPending(verifier.authenticateNow(input))).toBe(false)
    }
    await manager.revokeApiKey(key.id)
    for (const input of [basic(), bearer]) {
      const result = await verifier.authenticateNow(input)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.reason).toBe('key_revoked')
    }
  })

  it('leaves to the store path a wrong secret, an unknown id, and a disabled key or account', async () => {
    const { verifier, basic, bearer, manager, key, account } = await setUp()
    await verifier.authenticateNow(basic())
    await verifier.authenticateNow(bearer)
    const cases: Array<[string, () => Promise<unknown>, { authorization: string[] }, string]> = [
      ['wrong secret', async () => {}, basic(wrongSecret(key.secret)), 'wrong_secret'],
      ['unknown id', async () => {}, basic(key.secret, 'lk_000000000000000000000000'), 'unknown_key'],
      ['disabled key', () => manager.disableApiKey(key.id), basic(), 'key_disabled'],
      ['disabled key, token', async () => {}, bearer, 'key_disabled'],
      [
        'disabled account',
        () => manager.enableApiKey(key.id).then(() => manager.disableAccount(account.id)),
        basic(),
        'account_disabled',
      ],
    ]
    for (const [, change, input, reason] of cases) {
      await change()
      const pending = verifier.authenticateNow(input)
      expect(isPending(pending)).toBe(true)
      const result = await pending
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.reason).toBe(reason)
    }
  })

  it('leaves a correct secret to the store path while the throttle counts failures for its client', async () => {
    const { verifier, basic, key } = await setUp()
    const from = { clientAddress: '192.0.2.7' }
    await verifier.authenticateNow(basic(), from)
    expect(isPending(verifier.authenticateNow(basic(), from))).toBe(false)
    expect((await verifier.authenticateNow(basic(wrongSecret(key.secret)), from)).ok).toBe(false)
    // The failure on record must be cleared by a success, which only the store path does.
    const cleared = verifier.authenticateNow(basic(), from)
    expect(isPending(cleared)).toBe(true)
    expect((await cleared).ok).toBe(true)
    expect(isPending(verifier.authenticateNow(basic(), from))).toBe(false)
  })

  it('leaves a token to the store path once the signing keys are due to be read again', async () => {
    let now = Date.now()
    const { verifier, bearer } = await setUp({ now: () => now, signingKeyRefreshInterval: 60_000 })
    await verifier.authenticateNow(bearer)
    await verifier.authenticateNow(bearer)
    expect(isPending(verifier.authenticateNow(bearer))).toBe(false)
    now += 61_000
    const pending = verifier.authenticateNow(bearer)
    expect(isPending(pending)).toBe(true)
    expect((await pending).ok).toBe(true)
    expect(isPending(verifier.authenticateNow(bearer))).toBe(false)
  })

  it('never answers at once for a store without a change version or a change feed', async () => {
    const store = new MemoryKeyStore()
    const manager = createKeyManager(store)
    const account = await manager.createAccount({ name: 'Acme' })
    const key = await manager.createApiKey({ accountId: account.id })
    const verifier = createVerifier({ store, issuer })
    const basic = { authorization: [`Basic ${btoa(`${key.id}:${key.secret}`)}`] }
    for (let i = 0; i < 3; i++) {
      const pending = verifier.authenticateNow(basic)
      expect(isPending(pending)).toBe(true)
      expect((await pending).ok).toBe(true)
    }
  })

  it('goes through the promise of a verifier that createVerifier did not make, a spread copy included', async () => {
    const { verifier, basic } = await setUp()
    await verifier.authenticate(basic())
    const refusing: Verifier = {
      ...verifier,
      authenticate: async () => ({ ok: false, error: verifier.answerError(new Error('x')) as never }),
    }
    const pending = refusing.authenticateNow(basic())
    expect(isPending(pending)).toBe(true)
    expect((await pending).ok).toBe(false)
  })

  it('answers every request as a verifier without any cache does, whatever happens to the key in between', async () => {
    const operation = fc.oneof(
      fc.constantFrom('correct', 'wrong', 'unknown', 'token', 'forged', 'malformed').map((kind) => ({ request: kind })),
      fc
        .constantFrom('disableKey', 'enableKey', 'revokeKey', 'disableAccount', 'enableAccount')
        .map((change) => ({ change })),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        const { store, verifier, basic, bearer, manager, key, account } = await setUp()
        // Same store, same signing keys, no memory: every request read and checked in full.
        const plain = createVerifier({
          store,
          issuer,
          keyStatusCacheSize: 0,
          verifiedSecretCacheSize: 0,
          verifiedTokenCacheSize: 0,
        })
        const token = bearer.authorization[0] ?? ''
        const inputs: Record<string, { authorization: string[] }> = {
          correct: basic(),
          wrong: basic(wrongSecret(key.secret)),
          unknown: basic(key.secret, 'lk_000000000000000000000000'),
          token: bearer,
          forged: { authorization: [`${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`] },
          malformed: { authorization: ['Basic !!'] },
        }
        const changes: Record<string, () => Promise<unknown>> = {
          disableKey: () => manager.disableApiKey(key.id),
          enableKey: () => manager.enableApiKey(key.id),
          revokeKey: () => manager.revokeApiKey(key.id),
          disableAccount: () => manager.disableAccount(account.id),
          enableAccount: () => manager.enableAccount(account.id),
        }
        for (const step of operations) {
          if ('change' in step) {
            await (changes[step.change] as () => Promise<unknown>)().catch(() => undefined)
            continue
          }
          const input = inputs[step.request] as { authorization: string[] }
          const remembered = await verifier.authenticateNow(input)
          const full = await plain.authenticate(input)
          expect(remembered.ok).toBe(full.ok)
          if (remembered.ok && full.ok) expect(remembered.principal).toEqual(full.principal)
          if (!remembered.ok && !full.ok) expect(remembered.error.reason).toBe(full.error.reason)
        }
      }),
      { numRuns: fuzzRuns(60) },
    )
  })
})

describe('usage limits and the answer from memory', () => {
  it('answers a key with in-memory rate limits at once, counting every request, and refuses it at once when over', async () => {
    const { store, manager, account, verifier } = await setUp()
    const limited = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    await store.updateApiKey(limited.id, { rateLimits: [{ count: 2, window: 60 }] })
    const limitedBasic = { authorization: [`Basic ${btoa(`${limited.id}:${limited.secret}`)}`] }
    expect(await verifier.authenticate(limitedBasic)).toMatchObject({
      ok: true,
      headers: { RateLimit: '"key-2-1m";r=1;t=60' },
    })
    const second = verifier.authenticateNow(limitedBasic)
    expect(isPending(second)).toBe(false)
    expect(second).toMatchObject({ ok: true, headers: { RateLimit: '"key-2-1m";r=0;t=60' } })
    const third = verifier.authenticateNow(limitedBasic)
    expect(isPending(third)).toBe(false)
    expect(third).toMatchObject({ ok: false, error: { code: 'ERR_RATE_LIMITED', retryAfter: 60 } })
  })

  it('counts a key with credits, or with rate limits in a shared counter, through the promise', async () => {
    const consumed: string[] = []
    const { store, manager, account, key, verifier, basic, bearer } = await setUp({
      rateLimits: {
        // A shared counter: rate-limiter-flexible's promise, no count in memory.
        counter: ({ points }) => ({
          consume: (counterKey) => {
            consumed.push(counterKey)
            const count = {
              consumedPoints: consumed.length,
              remainingPoints: Math.max(points - consumed.length, 0),
              msBeforeNext: 60_000,
            }
            return consumed.length > points ? Promise.reject(count) : Promise.resolve(count)
          },
        }),
      },
    })
    const limited = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    await store.updateApiKey(limited.id, { rateLimits: [{ count: 2, window: 60 }] })
    const metered = await manager.createApiKey({ accountId: account.id, scopes: ['read'], credits: 1 })
    const limitedBasic = { authorization: [`Basic ${btoa(`${limited.id}:${limited.secret}`)}`] }
    const meteredBasic = { authorization: [`Basic ${btoa(`${metered.id}:${metered.secret}`)}`] }
    await verifier.authenticate(basic())
    await verifier.authenticate(bearer)
    await verifier.authenticate(bearer)
    await verifier.authenticate(limitedBasic)
    const now = verifier.authenticateNow(basic())
    expect(isPending(now)).toBe(false)
    expect(now).toEqual({ ok: true, principal: expect.objectContaining({ keyId: key.id }) })
    expect(isPending(verifier.authenticateNow(bearer))).toBe(false)
    const second = verifier.authenticateNow(limitedBasic)
    expect(isPending(second)).toBe(true)
    expect(await second).toMatchObject({ ok: true, headers: { RateLimit: '"key-2-1m";r=0;t=60' } })
    expect(await verifier.authenticateNow(limitedBasic)).toMatchObject({
      ok: false,
      error: { code: 'ERR_RATE_LIMITED' },
    })
    expect(consumed).toEqual([`key:${limited.id}`, `key:${limited.id}`, `key:${limited.id}`])
    // The credits spend is a store write: this test store's change version moves with it.
    expect(await verifier.authenticate(meteredBasic)).toMatchObject({ ok: true })
    const spent = verifier.authenticateNow(meteredBasic)
    expect(isPending(spent)).toBe(true)
    expect(await spent).toMatchObject({ ok: false, error: { code: 'ERR_CREDITS_EXHAUSTED' } })
  })
})
