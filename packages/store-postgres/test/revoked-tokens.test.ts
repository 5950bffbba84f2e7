import { isLatchkeyError, type KeyStoreWatchEvent } from '@latchkey/verifier'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresKeyStore, type PostgresKeyStore } from '../src/index.js'
import { type PostgresCluster, startPostgres } from './postgres-cluster.js'

/**
 * Schema version 5 on a real server: revoked access tokens (RFC 7009), the triggers that announce
 * them by their key, and the errors of a revocation.
 */

let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await startPostgres()
})
afterAll(async () => {
  await cluster?.destroy()
})

const stores: PostgresKeyStore[] = []
const clients: pg.Client[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()))
  await Promise.all(clients.splice(0).map((client) => client.end()))
})

const epoch = Date.UTC(2030, 0, 2, 3, 4, 5, 678)
/** The instant `offset` ms after a fixed epoch with a non-zero millisecond part. */
const at = (offset = 0) => new Date(epoch + offset)

let databases = 0
/** A store on a new database with keys `lk_a` and `lk_b` of `acct_a`, and an operator's session on it. */
async function setUp() {
  databases += 1
  const url = await cluster.createDatabase(`revoked_${databases}`)
  const store = await openPostgresKeyStore(url)
  stores.push(store)
  const operator = new pg.Client({ connectionString: url })
  await operator.connect()
  clients.push(operator)
  await store.insertAccount({ id: 'acct_a', name: 'A', email: null, status: 'enabled', createdAt: at(), metadata: {} })
  for (const id of ['lk_a', 'lk_b']) {
    await store.insertApiKey({
      id,
      accountId: 'acct_a',
      secretHash: 'sha256:x',
      scopes: [],
      status: 'enabled',
      createdAt: at(),
      name: null,
      description: null,
      metadata: {},
      expiresAt: null,
      replaces: null,
      replacedBy: null,
    })
  }
  return { url, store, operator }
}

/** The store's `api-key` announcements, from the moment its feed is live. */
async function feedOf(store: PostgresKeyStore) {
  const events: KeyStoreWatchEvent[] = []
  const subscription = store.watch((event) => events.push(event))
  const until = async (done: () => boolean) => {
    const started = performance.now()
    while (!done()) {
      if (performance.now() - started > 5000) throw new Error(`Not within 5 s: ${JSON.stringify(events)}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  await until(() => events.some((event) => event.type === 'connected'))
  return {
    subscription,
    /** The ids of the `api-key` events so far. */
    keys: () => events.flatMap((event) => (event.type === 'api-key' ? [event.id] : [])),
    /** Waits for every notification committed before it: they arrive in commit order. */
    async drain(operator: pg.Client) {
      await operator.query("UPDATE latchkey_accounts SET name = name || '.' WHERE id = 'acct_a'")
      await until(() => events.some((event) => event.type === 'account'))
    },
  }
}

describe('PostgresKeyStore, schema version 5', () => {
  it('announces a revocation by its key once: not again for the same expiry or an earlier one, nor for the purge', async () => {
    const { store, operator } = await setUp()
    const feed = await feedOf(store)
    await store.revokeAccessToken({ jti: 'jti-1', keyId: 'lk_a', expiresAt: at(1000) }, at())
    await store.revokeAccessToken({ jti: 'jti-1', keyId: 'lk_a', expiresAt: at(1000) }, at(1))
    await store.revokeAccessToken({ jti: 'jti-1', keyId: 'lk_a', expiresAt: at(500) }, at(2))
    // Forgets lk_a's revocation: only lk_b's new one is announced.
    await store.revokeAccessToken({ jti: 'jti-2', keyId: 'lk_b', expiresAt: at(60_000) }, at(1000))
    // A later expiry is stored, and announced.
    await store.revokeAccessToken({ jti: 'jti-2', keyId: 'lk_b', expiresAt: at(70_000) }, at(1001))
    await feed.drain(operator)
    expect(feed.keys()).toEqual(['lk_a', 'lk_b', 'lk_b'])
    expect(await store.findApiKey('lk_a')).not.toHaveProperty('revokedTokens')
    feed.subscription.close()
  })

  it("announces an operator's revocation, made in psql, by its key", async () => {
    const { store, operator } = await setUp()
    const feed = await feedOf(store)
    await operator.query(
      "INSERT INTO latchkey_revoked_tokens (key_id, jti, expires_at) VALUES ('lk_b', 'jti-x', now() + interval '1 hour')",
    )
    await feed.drain(operator)
    expect(feed.keys()).toEqual(['lk_b'])
    expect((await store.findApiKey('lk_b'))?.revokedTokens).toEqual(new Set(['jti-x']))
    feed.subscription.close()
  })

  it('stores the expiry as timestamptz to the millisecond, and keeps the later one', async () => {
    const { store, operator } = await setUp()
    await store.revokeAccessToken({ jti: 'jti-1', keyId: 'lk_a', expiresAt: at(2000) }, at())
    await store.revokeAccessToken({ jti: 'jti-1', keyId: 'lk_a', expiresAt: at(1000) }, at())
    const { rows } = await operator.query('SELECT key_id, jti, expires_at FROM latchkey_revoked_tokens')
    expect(rows).toEqual([{ key_id: 'lk_a', jti: 'jti-1', expires_at: at(2000) }])
  })

  it('refuses a revocation of an unknown key with ERR_NOT_FOUND, expired or not, and rolls its purge back', async () => {
    const { store, operator } = await setUp()
    await store.revokeAccessToken({ jti: 'jti-1', keyId: 'lk_a', expiresAt: at(1000) }, at())
    for (const [expiresIn, now] of [
      [60_000, 2000],
      [1000, 2000],
    ] as const) {
      const error = await store
        .revokeAccessToken({ jti: 'jti-2', keyId: 'lk_none', expiresAt: at(expiresIn) }, at(now))
        .catch((caught: unknown) => caught)
      expect(isLatchkeyError(error) && error.code).toBe('ERR_NOT_FOUND')
      expect((error as Error).message).toBe(
        'No API key has the id "lk_none"; a token can be revoked only while its key exists.',
      )
    }
    const { rows } = await operator.query('SELECT key_id, jti FROM latchkey_revoked_tokens')
    expect(rows).toEqual([{ key_id: 'lk_a', jti: 'jti-1' }])
  })

  it('upgrades a version 4 database in place: keys read back with no revoked token, and take them after', async () => {
    const { url, operator } = await setUp()
    await Promise.all(stores.splice(0).map((store) => store.close()))
    // Version 4 as the previous release left it: no table. The notify function keeps its revocation
    // branch, harmless with no trigger to call it.
    await operator.query(`
      DROP TABLE latchkey_revoked_tokens;
      DELETE FROM latchkey_schema_migrations WHERE version >= 5;
    `)
    const store = await openPostgresKeyStore(url)
    stores.push(store)
    expect(await store.findApiKey('lk_a')).not.toHaveProperty('revokedTokens')
    const feed = await feedOf(store)
    await store.revokeAccessToken({ jti: 'jti-1', keyId: 'lk_a', expiresAt: at(60_000) }, at())
    await feed.drain(operator)
    expect(feed.keys()).toEqual(['lk_a'])
    expect((await store.findApiKey('lk_a'))?.revokedTokens).toEqual(new Set(['jti-1']))
    feed.subscription.close()
  })

  it('keeps 40 revocations racing on two instances, purges included, without deadlock', async () => {
    const { url, store } = await setUp()
    const other = await openPostgresKeyStore(url)
    stores.push(other)
    // Each call purges what the calls before it stored with a short expiry, while others insert.
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (index % 2 === 0 ? store : other).revokeAccessToken(
          { jti: `jti-${index}`, keyId: index % 4 < 2 ? 'lk_a' : 'lk_b', expiresAt: at(index < 20 ? 20 : 60_000) },
          at(index),
        ),
      ),
    )
    const listed = [
      ...((await store.findApiKey('lk_a'))?.revokedTokens ?? []),
      ...((await store.findApiKey('lk_b'))?.revokedTokens ?? []),
    ]
    // The long-lived 20 are all kept; of the short-lived, those purged are gone.
    for (let index = 20; index < 40; index++) expect(listed).toContain(`jti-${index}`)
  })
})
