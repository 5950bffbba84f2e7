import { describe, expect, it } from 'vitest'
import { expectAnswer } from '../../test/respond.js'
import type { AuthEvent } from '../audit/events.js'
import { type AuthenticationResult, createVerifier, type Verifier, type VerifierOptions } from '../index.js'
import { createKeyManager } from '../manage/key-manager.js'
import { rotateSigningKey } from '../manage/signing-key-rotation.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'

const issuer = 'https://api.example.test'
const ATTACKER = '203.0.113.9'
const NEIGHBOUR = '198.51.100.7'

async function setUp(options: Partial<VerifierOptions> = {}) {
  const store = new MemoryKeyStore()
  const manager = createKeyManager(store)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id })
  const events: AuthEvent[] = []
  const verifier = createVerifier({ store, issuer, onEvent: (event) => events.push(event), ...options })
  return { store, key, verifier, events }
}

async function issue(verifier: Verifier, key: { id: string; secret: string }): Promise<string> {
  const answer = expectAnswer(
    await verifier.answer({
      method: 'POST',
      url: '/oauth/token',
      authorization: [`Basic ${btoa(`${key.id}:${key.secret}`)}`],
      contentType: 'application/x-www-form-urlencoded',
      body: new TextEncoder().encode('grant_type=client_credentials'),
    }),
  )
  return (JSON.parse(answer.body) as { access_token: string }).access_token
}

/** `token` with one character of its signature changed. */
function forge(token: string, variant = 0): string {
  const [head, payload, signature = ''] = token.split('.')
  const replacement = 'ABCDEFGH'.replace(signature[0] ?? '', '')[variant] ?? 'Z'
  return `${head}.${payload}.${replacement}${signature.slice(1)}`
}

function status(result: AuthenticationResult): string {
  if (result.ok) return '200'
  return result.error.code === 'ERR_TOO_MANY_ATTEMPTS' ? '429' : `${result.error.code}:${result.error.reason}`
}

async function bearer(verifier: Verifier, token: string, clientAddress = ATTACKER): Promise<string> {
  return status(await verifier.authenticate({ authorization: [`Bearer ${token}`] }, { clientAddress }))
}

describe('Bearer tokens refused for good', () => {
  it('remembers a forgery: sent again it is refused alike and counts once against the address', async () => {
    const { key, verifier, events } = await setUp({ failureThrottle: { perAddress: 2, initialBlock: 60 } })
    const token = await issue(verifier, key)
    const answers = []
    for (let index = 0; index < 5; index++) answers.push(await bearer(verifier, forge(token)))
    expect(answers).toEqual(Array(5).fill('ERR_INVALID_TOKEN:token_invalid'))
    expect(events.filter((event) => event.type === 'authenticate').map((event) => event.reason)).toEqual(
      Array(5).fill('token_invalid'),
    )
    // Had the replays been counted, the address would be blocked already (limit 2).
    expect(await bearer(verifier, forge(token, 1))).toBe('ERR_INVALID_TOKEN:token_invalid')
    expect(await bearer(verifier, forge(token, 2))).toBe('429')
  })

  it('blocks new tokens from an address over its limit, before any signature check, and nothing else', async () => {
    const { key, verifier } = await setUp({ failureThrottle: { perAddress: 2, initialBlock: 60 } })
    const verifiedBefore = await issue(verifier, key)
    // Remembered from its second verification on.
    expect(await bearer(verifier, verifiedBefore)).toBe('200')
    expect(await bearer(verifier, verifiedBefore)).toBe('200')
    const fresh = await issue(verifier, key)
    for (let variant = 0; variant < 2; variant++) await bearer(verifier, forge(verifiedBefore, variant))

    // A valid token never seen from this address waits for the block; one verified before does not.
    expect(await bearer(verifier, fresh)).toBe('429')
    expect(await bearer(verifier, verifiedBefore)).toBe('200')
    // Other addresses are not affected.
    expect(await bearer(verifier, fresh, NEIGHBOUR)).toBe('200')
    // Basic from the blocked address shares the per-address count.
    const basic = await verifier.authenticate(
      { authorization: [`Basic ${btoa(`${key.id}:${key.secret}`)}`] },
      { clientAddress: ATTACKER },
    )
    expect(status(basic)).toBe('429')
  })

  it('does not count expired or malformed tokens against the address', async () => {
    let clock = Date.UTC(2030, 0, 1)
    const { key, verifier } = await setUp({
      now: () => clock,
      tokenLifetime: 60,
      failureThrottle: { perAddress: 1, initialBlock: 60 },
    })
    const expired = await issue(verifier, key)
    clock += 120_000
    expect(await bearer(verifier, expired)).toBe('ERR_INVALID_TOKEN:token_expired')
    expect(await bearer(verifier, 'not.a.token')).toBe('ERR_INVALID_TOKEN:token_invalid')
    expect(await bearer(verifier, await issue(verifier, key))).toBe('200')
  })

  it('refuses a token under an unknown kid only for now: it verifies once the rotated key is loaded', async () => {
    let clock = Date.UTC(2030, 0, 1)
    const now = () => clock
    const { store, key, verifier } = await setUp({ now })
    expect(await bearer(verifier, await issue(verifier, key))).toBe('200')

    // Another instance rotates in a key that signs at once; this one has not loaded it yet.
    await rotateSigningKey(store, { activationDelay: 0, now })
    const signer = createVerifier({ store, issuer, now })
    const signedByNewKey = await issue(signer, key)
    expect(await bearer(verifier, signedByNewKey)).toBe('ERR_INVALID_TOKEN:token_invalid')

    // Unknown kids reload the keys at most once a second.
    clock += 1000
    expect(await bearer(verifier, signedByNewKey)).toBe('200')
  })
})
