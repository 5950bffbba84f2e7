import { describe, expect, it } from 'vitest'
import { respond } from '../../test/respond.js'
import { generateApiKeyId, generateApiKeySecret, hashSecret } from '../basic/api-key.js'
import { createVerifier } from '../index.js'
import { createKeyManager } from '../manage/key-manager.js'
import type { KeyStore, KeyStoreWatchListener } from '../store/key-store.js'
import { MemoryKeyStore } from '../store/memory-key-store.js'

const issuer = 'https://api.example.test'

/** A memory store with a hand-driven change feed, recording its key reads. */
function watchedStore() {
  const inner = new MemoryKeyStore()
  const listeners = new Set<KeyStoreWatchListener>()
  const log: Array<{ id: string; found: boolean }> = []
  let signingReads = 0
  const store: KeyStore = Object.assign(delegate(inner), {
    findApiKey: (id: string) => {
      const found = inner.findApiKey(id)
      log.push({ id, found: found !== undefined })
      return found
    },
    listSigningKeys: () => {
      signingReads++
      return inner.listSigningKeys()
    },
    watch(listener: KeyStoreWatchListener) {
      listeners.add(listener)
      return { close: () => listeners.delete(listener) }
    },
  })
  return {
    store,
    inner,
    emit: (event: Parameters<KeyStoreWatchListener>[0]) => {
      for (const listener of listeners) listener(event)
    },
    listeners,
    log,
    reads: () => log.length,
    signingReads: () => signingReads,
  }
}

/** A plain object calling `inner`'s methods, to override some of them. */
function delegate(inner: MemoryKeyStore): KeyStore {
  const methods = Object.getOwnPropertyNames(MemoryKeyStore.prototype).filter((name) => name !== 'constructor')
  const record = inner as unknown as Record<string, (...args: unknown[]) => unknown>
  return Object.fromEntries(
    methods.map((name) => [name, (...args: unknown[]) => record[name]?.apply(inner, args)]),
  ) as unknown as KeyStore
}

async function setUp(options: { now?: () => number; keyStatusCacheSize?: number } = {}) {
  const watched = watchedStore()
  const { store } = watched
  const manager = createKeyManager(watched.inner)
  const { now, ...rest } = options
  const verifier = createVerifier({ store, issuer, ...rest, ...(now ? { now } : {}) })
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  const basic = { authorization: [`Basic ${btoa(`${key.id}:${key.secret}`)}`] }
  const unknown = { authorization: [`Basic ${btoa(`lk_000000000000000000000000:${key.secret}`)}`] }
  return { ...watched, manager, verifier, key, account, basic, unknown }
}

/** A token for `basic` from the verifier's token endpoint, as `authenticate` input. */
async function bearerFor(verifier: ReturnType<typeof createVerifier>, basic: { authorization: string[] }) {
  const response = await respond(
    verifier,
    new Request(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic.authorization[0] ?? '', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }),
  )
  const { access_token: token } = (await response.json()) as { access_token: string }
  return { authorization: [`Bearer ${token}`] }
}

describe('key statuses with a store change feed', () => {
  it('subscribes on first use and reads a key once while the feed is live', async () => {
    const { verifier, basic, emit, listeners, reads } = await setUp()
    expect(listeners.size).toBe(0)
    expect((await verifier.authenticate(basic)).ok).toBe(true)
    expect(listeners.size).toBe(1)
    emit({ type: 'connected' })
    for (let i = 0; i < 5; i++) expect((await verifier.authenticate(basic)).ok).toBe(true)
    // Once before the feed was live and once after (each with its companion read of an absent id).
    expect(reads()).toBe(4)
  })

  it('balances a miss with a read of the other kind, and a hit with none, whether the id exists or not', async () => {
    const { verifier, basic, unknown, key, emit, log } = await setUp()
    await verifier.authenticate(basic)
    emit({ type: 'connected' })
    log.length = 0
    await verifier.authenticate(basic)
    await verifier.authenticate(unknown)
    expect(log.map((read) => read.found)).toEqual([true, false, false, true])
    // The unknown id's companion read is of the last key found, and its answer is thrown away.
    expect(log[3]?.id).toBe(key.id)
    log.length = 0
    for (let i = 0; i < 3; i++) {
      expect((await verifier.authenticate(unknown)).ok).toBe(false)
      expect((await verifier.authenticate(basic)).ok).toBe(true)
    }
    expect(log).toEqual([])
  })

  it('reads the key of a Bearer token alone on a miss, its subject having existed when it was issued', async () => {
    const { verifier, basic, key, emit, log } = await setUp()
    const bearer = await bearerFor(verifier, basic)
    emit({ type: 'connected' })
    log.length = 0
    expect((await verifier.authenticate(bearer)).ok).toBe(true)
    expect(log).toEqual([{ id: key.id, found: true }])
  })

  it('remembers an unknown id while the feed is live, and accepts a key created under it once the creation is reported', async () => {
    const { verifier, emit, inner, account, log } = await setUp()
    const id = generateApiKeyId()
    const secret = generateApiKeySecret()
    const presented = { authorization: [`Basic ${btoa(`${id}:${secret}`)}`] }
    await verifier.authenticate(presented)
    emit({ type: 'connected' })
    const refused = await verifier.authenticate(presented)
    expect(refused.ok).toBe(false)
    if (!refused.ok) expect(refused.error.reason).toBe('unknown_key')
    log.length = 0
    expect((await verifier.authenticate(presented)).ok).toBe(false)
    expect(log).toEqual([])
    await inner.insertApiKey({
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
    emit({ type: 'api-key', id })
    expect((await verifier.authenticate(presented)).ok).toBe(true)
  })

  it('holds found keys and unknown ids under one keyStatusCacheSize, so unknown ids push known keys out', async () => {
    const { verifier, basic, unknown, emit, log } = await setUp({ keyStatusCacheSize: 1 })
    await verifier.authenticate(basic)
    emit({ type: 'connected' })
    await verifier.authenticate(basic)
    log.length = 0
    await verifier.authenticate(basic)
    expect(log).toEqual([])
    await verifier.authenticate(unknown)
    await verifier.authenticate(unknown)
    expect(log.map((read) => read.found)).toEqual([false, true])
    log.length = 0
    await verifier.authenticate(basic)
    expect(log.map((read) => read.found)).toEqual([true, false])
  })

  it('refuses a key at the next request once its revocation is reported', async () => {
    const { verifier, basic, emit, manager, key } = await setUp()
    await verifier.authenticate(basic)
    emit({ type: 'connected' })
    expect((await verifier.authenticate(basic)).ok).toBe(true)
    await manager.revokeApiKey(key.id)
    emit({ type: 'api-key', id: key.id })
    const result = await verifier.authenticate(basic)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.reason).toBe('key_revoked')
  })

  it('refuses every key of an account once its disabling is reported', async () => {
    const { verifier, basic, emit, manager, account } = await setUp()
    await verifier.authenticate(basic)
    emit({ type: 'connected' })
    await verifier.authenticate(basic)
    await manager.disableAccount(account.id)
    emit({ type: 'account', id: account.id })
    const result = await verifier.authenticate(basic)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.reason).toBe('account_disabled')
  })

  it('sees an unreported revocation within keyStatusFallbackMaxAge while the feed is down', async () => {
    let clock = Date.now()
    const { verifier, basic, emit, manager, key } = await setUp({ now: () => clock })
    await verifier.authenticate(basic)
    emit({ type: 'connected' })
    emit({ type: 'disconnected' })
    expect((await verifier.authenticate(basic)).ok).toBe(true)
    await manager.revokeApiKey(key.id)
    clock += 999
    expect((await verifier.authenticate(basic)).ok).toBe(true)
    clock += 1
    expect((await verifier.authenticate(basic)).ok).toBe(false)
  })

  it('reloads signing keys when the feed reports a signing-key change', async () => {
    const { verifier, basic, emit, signingReads } = await setUp()
    await verifier.authenticate(basic)
    emit({ type: 'connected' })
    await verifier.jwks()
    const before = signingReads()
    await verifier.jwks()
    expect(signingReads()).toBe(before)
    emit({ type: 'signing-keys' })
    await verifier.jwks()
    expect(signingReads()).toBe(before + 1)
  })

  it('ends its subscription on close', async () => {
    const { verifier, basic, listeners } = await setUp()
    await verifier.authenticate(basic)
    verifier.close?.()
    expect(listeners.size).toBe(0)
  })
})

describe('key statuses with a store without a change feed', () => {
  it('reads the store on every request, as before', async () => {
    const inner = new MemoryKeyStore()
    const reads: string[] = []
    const store: KeyStore = Object.assign(delegate(inner), {
      findApiKey: (id: string) => {
        reads.push(id)
        return inner.findApiKey(id)
      },
    })
    const manager = createKeyManager(inner)
    const account = await manager.createAccount({ name: 'Acme' })
    const key = await manager.createApiKey({ accountId: account.id })
    const verifier = createVerifier({ store, issuer })
    const basic = { authorization: [`Basic ${btoa(`${key.id}:${key.secret}`)}`] }
    for (let i = 0; i < 3; i++) expect((await verifier.authenticate(basic)).ok).toBe(true)
    // Each check also looks up an absent id, so found and unknown keys cost alike (readBalanced).
    expect(reads.filter((id) => id === key.id)).toHaveLength(3)
    expect(reads).toHaveLength(6)
  })
})

/** A memory store with a change version bumped by hand, counting its key reads. */
async function versionedSetUp(options: { keyStatusCacheSize?: number } = {}) {
  const inner = new MemoryKeyStore()
  const reads: Array<{ id: string; found: boolean }> = []
  let version = 1
  let versionFails = false
  const store: KeyStore = Object.assign(delegate(inner), {
    findApiKey: (id: string) => {
      const found = inner.findApiKey(id)
      reads.push({ id, found: found !== undefined })
      return found
    },
    changeVersion: () => {
      if (versionFails) throw new Error('database is locked')
      return version
    },
  })
  const manager = createKeyManager(inner)
  const account = await manager.createAccount({ name: 'Acme' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
  const verifier = createVerifier({ store, issuer, ...options })
  const basic = { authorization: [`Basic ${btoa(`${key.id}:${key.secret}`)}`] }
  const unknown = { authorization: [`Basic ${btoa(`lk_000000000000000000000000:${key.secret}`)}`] }
  return {
    verifier,
    manager,
    key,
    basic,
    unknown,
    reads,
    bump: () => version++,
    failVersion: () => {
      versionFails = true
    },
  }
}

describe('key lookups with a store change version', () => {
  it('reads a key once while the version stays the same', async () => {
    const { verifier, basic, reads } = await versionedSetUp()
    for (let i = 0; i < 5; i++) expect((await verifier.authenticate(basic)).ok).toBe(true)
    // The first lookup also read an absent id, as every read of a presented id does.
    expect(reads.map((read) => read.found)).toEqual([true, false])
  })

  it('refuses a revoked key at the first request after the version changes, token cached or not', async () => {
    const { verifier, basic, manager, key, bump } = await versionedSetUp()
    const bearer = await bearerFor(verifier, basic)
    expect((await verifier.authenticate(bearer)).ok).toBe(true)
    expect((await verifier.authenticate(basic)).ok).toBe(true)
    await manager.revokeApiKey(key.id)
    // Until the store reports a change, the remembered status stands: the version is the contract.
    expect((await verifier.authenticate(basic)).ok).toBe(true)
    bump()
    for (const input of [basic, bearer]) {
      const result = await verifier.authenticate(input)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.reason).toBe('key_revoked')
    }
  })

  it('balances a miss with a read of the other kind, and a hit with none', async () => {
    const { verifier, basic, unknown, key, reads } = await versionedSetUp()
    await verifier.authenticate(basic)
    await verifier.authenticate(unknown)
    expect(reads.map((read) => read.found)).toEqual([true, false, false, true])
    // The unknown id's companion read is of the last key found, and its answer is thrown away.
    expect(reads[3]?.id).toBe(key.id)
    reads.length = 0
    expect((await verifier.authenticate(unknown)).ok).toBe(false)
    expect((await verifier.authenticate(basic)).ok).toBe(true)
    expect(reads).toEqual([])
  })

  it('fails closed with 503 when the version cannot be read', async () => {
    const { verifier, basic, failVersion } = await versionedSetUp()
    expect((await verifier.authenticate(basic)).ok).toBe(true)
    failVersion()
    const result = await verifier.authenticate(basic)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('ERR_STORE_UNAVAILABLE')
  })

  it('reads on every request when keyStatusCacheSize is 0', async () => {
    const { verifier, basic, reads } = await versionedSetUp({ keyStatusCacheSize: 0 })
    for (let i = 0; i < 3; i++) expect((await verifier.authenticate(basic)).ok).toBe(true)
    expect(reads.filter((read) => read.found)).toHaveLength(3)
  })
})
