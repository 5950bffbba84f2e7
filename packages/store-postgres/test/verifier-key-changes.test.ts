import type { ApiKeyRecord, AuthenticationResult, Verifier } from '@latchkey/verifier'
import { createKeyManager, generateApiKeyId, generateApiKeySecret, hashSecret } from '@latchkey/verifier/manage'
import { describe, expect, it } from 'vitest'
import type { PostgresKeyStore } from '../src/index.js'
import { basic, issuer, useVerifierInstances } from './verifier-instances.js'

/**
 * A verifier that has cached a key hears of another instance's change to it (expiry, scopes,
 * name, metadata, rotation) as it hears of a revocation: the first request after the change is
 * announced sees it, with no wait for `keyStatusMaxAge`. An expired key is refused as a revoked one is.
 */

const { twoInstances, liveVerifier } = useVerifierInstances('key_changes')

/** The verifier's clock, which the tests move instead of sleeping. */
function manualClock() {
  let now = Date.now()
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

/** The answer a refused request gets: status, headers and body, whatever the reason. */
function answerTo(verifier: Verifier, result: AuthenticationResult) {
  expect(result.ok, 'the request was refused').toBe(false)
  if (result.ok) throw new Error('Accepted.')
  return { reason: result.error.reason, answer: verifier.answerError(result.error) }
}

/** An account on `other` with two keys, `read write` scoped: one for the test, one to revoke as the yardstick. */
async function keysOf(other: PostgresKeyStore) {
  const manager = createKeyManager(other)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
  const yardstick = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
  return { account, key, yardstick }
}

/**
 * Sets up a live verifier on `instance` that has cached `key` and `yardstick`, then revokes the
 * yardstick through `other`: how a revoked key is refused, which every change must match.
 */
async function withCachedKeys(options: { now?: () => number } = {}) {
  const { instance, other } = await twoInstances()
  const keys = await keysOf(other)
  const live = await liveVerifier(instance, options)
  const { verifier, reads, feed } = live
  for (const each of [keys.key, keys.yardstick]) {
    expect((await verifier.authenticate(basic(each.id, each.secret))).ok).toBe(true)
  }
  reads.length = 0
  // Cached: no read while the feed is live.
  expect((await verifier.authenticate(basic(keys.key.id, keys.key.secret))).ok).toBe(true)
  expect(reads).toEqual([])
  await other.setApiKeyStatus(keys.yardstick.id, 'revoked')
  await feed.next((event) => event.type === 'api-key' && event.id === keys.yardstick.id)
  const revoked = answerTo(verifier, await verifier.authenticate(basic(keys.yardstick.id, keys.yardstick.secret)))
  expect(revoked.answer.status).toBe(401)
  reads.length = 0
  return { ...live, ...keys, other, revoked }
}

describe('A verifier on Postgres, when another instance changes a key it cached', () => {
  it('refuses the key as a revoked one at the first request after its expiry is set in the past', async () => {
    const { verifier, feed, other, key, revoked, close } = await withCachedKeys()
    await other.updateApiKey(key.id, { expiresAt: new Date(Date.now() - 1000) })
    await feed.next((event) => event.type === 'api-key' && event.id === key.id)
    const refused = answerTo(verifier, await verifier.authenticate(basic(key.id, key.secret)))
    expect(refused.reason).toBe('key_expired')
    expect(refused.answer).toEqual(revoked.answer)
    await close()
  })

  it('accepts the key until an expiry set in the near future passes, then refuses it as a revoked one, with no read', async () => {
    const clock = manualClock()
    const { verifier, reads, feed, other, key, revoked, close } = await withCachedKeys({ now: clock.now })
    await other.updateApiKey(key.id, { expiresAt: new Date(clock.now() + 60_000) })
    await feed.next((event) => event.type === 'api-key' && event.id === key.id)
    expect((await verifier.authenticate(basic(key.id, key.secret))).ok).toBe(true)
    clock.advance(59_999)
    expect((await verifier.authenticate(basic(key.id, key.secret))).ok).toBe(true)
    reads.length = 0
    clock.advance(1)
    const refused = answerTo(verifier, await verifier.authenticate(basic(key.id, key.secret)))
    expect(refused.reason).toBe('key_expired')
    expect(refused.answer).toEqual(revoked.answer)
    // The cached expiry is compared with the clock: no store write or read is needed when a key expires.
    expect(reads).toEqual([])
    await close()
  })

  it('narrows the scopes of Basic and Bearer principals at the first request after the narrowing is announced', async () => {
    const { verifier, feed, other, key, close } = await withCachedKeys()
    const token = await tokenFor(verifier, key.id, key.secret)
    const bearer = { authorization: [`Bearer ${token}`] }
    expect(scopesOf(await verifier.authenticate(basic(key.id, key.secret)))).toEqual(['read', 'write'])
    expect(scopesOf(await verifier.authenticate(bearer))).toEqual(['read', 'write'])
    await other.updateApiKey(key.id, { scopes: ['read'] })
    await feed.next((event) => event.type === 'api-key' && event.id === key.id)
    expect(scopesOf(await verifier.authenticate(basic(key.id, key.secret)))).toEqual(['read'])
    expect(scopesOf(await verifier.authenticate(bearer))).toEqual(['read'])
    await close()
  })

  it("puts the key's new name and metadata in the principal at the first request after the change is announced", async () => {
    const { verifier, feed, other, key, close } = await withCachedKeys()
    await other.updateApiKey(key.id, { name: 'staging — 本番', metadata: { plan: 'pro', limits: { rpm: 600 } } })
    await feed.next((event) => event.type === 'api-key' && event.id === key.id)
    const result = await verifier.authenticate(basic(key.id, key.secret))
    expect(result.ok && result.principal).toMatchObject({
      keyName: 'staging — 本番',
      metadata: { plan: 'pro', limits: { rpm: 600 } },
    })
    await close()
  })

  it('refuses a key rotated with no overlap as a revoked one, and accepts its replacement, at the first request after the rotation is announced', async () => {
    const clock = manualClock()
    const { verifier, feed, other, key, account, revoked, close } = await withCachedKeys({ now: clock.now })
    const secret = generateApiKeySecret()
    const replacement: ApiKeyRecord = {
      id: generateApiKeyId(),
      accountId: account.id,
      secretHash: hashSecret(secret),
      scopes: ['read', 'write'],
      status: 'enabled',
      createdAt: new Date(clock.now()),
      name: null,
      description: null,
      metadata: {},
      expiresAt: null,
      replaces: null,
      replacedBy: null,
    }
    const rotation = await other.rotateApiKey(key.id, replacement, new Date(clock.now()))
    expect(rotation.rotated).toBe(true)
    await feed.next((event) => event.type === 'api-key' && event.id === key.id)
    const refused = answerTo(verifier, await verifier.authenticate(basic(key.id, key.secret)))
    expect(refused.reason).toBe('key_expired')
    expect(refused.answer).toEqual(revoked.answer)
    const accepted = await verifier.authenticate(basic(replacement.id, secret))
    expect(accepted.ok && accepted.principal.keyId).toBe(replacement.id)
    await close()
  })
})

function scopesOf(result: AuthenticationResult): readonly string[] | undefined {
  expect(result.ok, 'the request was accepted').toBe(true)
  return result.ok ? result.principal.scopes : undefined
}

/** An access token for the key, from the verifier's token endpoint. */
async function tokenFor(verifier: Verifier, id: string, secret: string): Promise<string> {
  const answer = await verifier.answer(
    new Request(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: basic(id, secret).authorization[0] ?? '',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    }),
  )
  expect(answer?.status).toBe(200)
  return (JSON.parse(answer?.body ?? '{}') as { access_token: string }).access_token
}
