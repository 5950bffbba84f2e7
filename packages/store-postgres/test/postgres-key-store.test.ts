import { describeKeyStoreConformance } from '@latchkey/store-conformance'
import { type KeyStoreWatchEvent, LatchkeyError } from '@latchkey/verifier'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresKeyStore, PostgresKeyStore } from '../src/index.js'
import { type PostgresCluster, startPostgres } from './postgres-cluster.js'

let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await startPostgres()
})
afterAll(async () => {
  await cluster?.destroy()
})

let databases = 0
let lastUrl = ''
/** A database no test has used. */
async function newDatabase(): Promise<string> {
  databases += 1
  lastUrl = await cluster.createDatabase(`conformance_${databases}`)
  return lastUrl
}

describeKeyStoreConformance(
  'PostgresKeyStore',
  async () => {
    const store = await openPostgresKeyStore(await newDatabase())
    return { store, close: () => store.close() }
  },
  {
    reopen: async () => {
      const store = await openPostgresKeyStore(lastUrl)
      return { store, close: () => store.close() }
    },
    // Another pool on the same database, as another instance has.
    connect: async () => {
      const store = await openPostgresKeyStore(lastUrl)
      return { store, close: () => store.close() }
    },
    unreachable: async () => {
      // Nothing listens on the port of a cluster that was never started: every connection is refused.
      const store = new PostgresKeyStore('postgres://postgres@127.0.0.1:1/latchkey', { connectionTimeout: 1000 })
      return { store, close: () => store.close() }
    },
  },
)

/** The fields of a key made afresh: no name, description, metadata, expiry or rotation links. */
const noDetails = { name: null, description: null, metadata: {}, expiresAt: null, replaces: null, replacedBy: null }

/** Collects a store's change-feed events. */
function recorder(store: PostgresKeyStore) {
  const events: KeyStoreWatchEvent[] = []
  const subscription = store.watch((event) => events.push(event))
  async function next(predicate: (event: KeyStoreWatchEvent) => boolean, timeout = 5000) {
    const started = performance.now()
    for (;;) {
      const found = events.find(predicate)
      if (found) return found
      if (performance.now() - started > timeout)
        throw new Error(`No such event within ${timeout} ms: ${JSON.stringify(events)}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  return { events, subscription, next }
}

describe('PostgresKeyStore', () => {
  const stores: PostgresKeyStore[] = []
  async function open(url: string, options?: ConstructorParameters<typeof PostgresKeyStore>[1]) {
    const store = await openPostgresKeyStore(url, options)
    stores.push(store)
    return store
  }
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()))
  })

  it('migrates once when five instances open a new database together', async () => {
    const url = await newDatabase()
    await Promise.all(Array.from({ length: 5 }, () => open(url)))
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    const { rows } = await client.query('SELECT version FROM latchkey_schema_migrations ORDER BY version')
    await client.end()
    expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((version) => ({ version })))
  })

  it('runs steps 3 to 6 again harmlessly, and a database without the insert trigger announces new keys once upgraded', async () => {
    const url = await newDatabase()
    await open(url)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    const triggers = async () =>
      (
        await client.query(
          "SELECT count(*)::integer AS count FROM pg_trigger WHERE tgname = 'latchkey_api_keys_inserted'",
        )
      ).rows[0]?.count
    try {
      // As if steps 3 to 6 had not been recorded: their triggers, columns, table and indexes exist already.
      await client.query('DELETE FROM latchkey_schema_migrations WHERE version >= 3')
      await open(url)
      expect(await triggers()).toBe(1)
      // A version 2 database: no insert trigger.
      await client.query('DELETE FROM latchkey_schema_migrations WHERE version >= 3')
      await client.query('DROP TRIGGER latchkey_api_keys_inserted ON latchkey_api_keys')
      const store = await open(url)
      expect(await triggers()).toBe(1)
      const feed = recorder(store)
      await feed.next((event) => event.type === 'connected')
      await store.insertAccount({
        id: 'acct_a',
        name: 'A',
        email: null,
        status: 'enabled',
        createdAt: new Date(),
        metadata: {},
      })
      await store.insertApiKey({
        id: 'lk_a',
        accountId: 'acct_a',
        secretHash: 'sha256:x',
        scopes: [],
        status: 'enabled',
        createdAt: new Date(),
        ...noDetails,
      })
      await feed.next((event) => event.type === 'api-key')
      await store.insertSigningKey({
        kid: 'k1',
        alg: 'EdDSA',
        publicJwk: {},
        privateJwk: {},
        createdAt: new Date(),
        activatesAt: new Date(),
        expiresAt: null,
      })
      // Notifications arrive in commit order: once this one is here, every earlier one is.
      await feed.next((event) => event.type === 'signing-keys')
      expect(feed.events.filter((event) => event.type === 'api-key')).toEqual([{ type: 'api-key', id: 'lk_a' }])
    } finally {
      await client.end()
    }
  })

  it('upgrades a version 1 database in place: keys kept, lastUsedAt added', async () => {
    const url = await newDatabase()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      // Version 1 as the first release created it, with a key in it.
      await client.query(`CREATE TABLE latchkey_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE latchkey_accounts (id text PRIMARY KEY, name text NOT NULL, email text, status text NOT NULL, created_at timestamptz NOT NULL);
        CREATE TABLE latchkey_api_keys (id text PRIMARY KEY, account_id text NOT NULL REFERENCES latchkey_accounts (id), secret_hash text NOT NULL, scopes text[] NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL);
        CREATE TABLE latchkey_signing_keys (kid text PRIMARY KEY, alg text NOT NULL, public_jwk jsonb NOT NULL, private_jwk jsonb NOT NULL, created_at timestamptz NOT NULL, activates_at timestamptz NOT NULL, expires_at timestamptz);
        CREATE FUNCTION latchkey_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
        CREATE TRIGGER latchkey_api_keys_updated AFTER UPDATE ON latchkey_api_keys
          FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION latchkey_notify_change();
        INSERT INTO latchkey_schema_migrations (version) VALUES (1);
        INSERT INTO latchkey_accounts VALUES ('acct_a', 'A', NULL, 'enabled', now());
        INSERT INTO latchkey_api_keys VALUES ('lk_a', 'acct_a', 'sha256:x', '{read}', 'enabled', now());`)
    } finally {
      await client.end()
    }
    const store = await open(url)
    expect(await store.getApiKey('lk_a')).toMatchObject({ id: 'lk_a', scopes: ['read'], ...noDetails })
    expect((await store.getAccount('acct_a'))?.metadata).toEqual({})
    expect(await store.getApiKey('lk_a')).not.toHaveProperty('lastUsedAt')
    const used = new Date('2025-06-01T12:00:00.123Z')
    await store.touchApiKeys(new Map([['lk_a', used]]))
    expect((await store.getApiKey('lk_a'))?.lastUsedAt).toEqual(used)
    // And from version 3 on, a new key is announced.
    const feed = recorder(store)
    await feed.next((event) => event.type === 'connected')
    await store.insertApiKey({
      id: 'lk_b',
      accountId: 'acct_a',
      secretHash: 'sha256:x',
      scopes: [],
      status: 'enabled',
      createdAt: new Date(),
      ...noDetails,
    })
    await feed.next((event) => event.type === 'api-key' && event.id === 'lk_b')
  })

  it('refuses a database migrated by a newer version, saying what to upgrade', async () => {
    const url = await newDatabase()
    await open(url)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query('INSERT INTO latchkey_schema_migrations (version) VALUES (99)')
    await client.end()
    const error = await openPostgresKeyStore(url).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(LatchkeyError)
    expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    expect((error as Error).message).toMatch(/version 99.*Upgrade @latchkey\/store-postgres/)
  })

  it('reports an unreachable server as ERR_STORE_UNAVAILABLE without the password', async () => {
    const error = await openPostgresKeyStore('postgres://latchkey:hunter2@127.0.0.1:1/latchkey').catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    expect((error as Error).message).not.toContain('hunter2')
  })

  it('reports changes made through another connection to every watcher, within 100 ms', async () => {
    const url = await newDatabase()
    const writer = await open(url)
    const reader = await open(url)
    const feed = recorder(reader)
    await feed.next((event) => event.type === 'connected')
    await writer.insertAccount({
      id: 'acct_a',
      name: 'A',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    await writer.insertApiKey({
      id: 'lk_a',
      accountId: 'acct_a',
      secretHash: 'sha256:x',
      scopes: [],
      status: 'enabled',
      createdAt: new Date(),
      ...noDetails,
    })
    // Its creation is announced too (migration 3); the revocation is measured on its own.
    await feed.next((event) => event.type === 'api-key' && event.id === 'lk_a')
    feed.events.length = 0
    let started = performance.now()
    await writer.setApiKeyStatus('lk_a', 'revoked')
    await feed.next((event) => event.type === 'api-key' && event.id === 'lk_a', 100)
    const keyLatency = performance.now() - started
    started = performance.now()
    await writer.setAccountStatus('acct_a', 'disabled')
    await feed.next((event) => event.type === 'account' && event.id === 'acct_a', 100)
    expect(performance.now() - started).toBeLessThan(100)
    expect(keyLatency).toBeLessThan(100)
    feed.subscription.close()
  })

  it('announces a new key by its id, and both ids when an update gives a key another id', async () => {
    const url = await newDatabase()
    const writer = await open(url)
    const reader = await open(url)
    const feed = recorder(reader)
    await feed.next((event) => event.type === 'connected')
    await writer.insertAccount({
      id: 'acct_a',
      name: 'A',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    const started = performance.now()
    await writer.insertApiKey({
      id: 'lk_a',
      accountId: 'acct_a',
      secretHash: 'sha256:x',
      scopes: [],
      status: 'enabled',
      createdAt: new Date(),
      ...noDetails,
    })
    await feed.next((event) => event.type === 'api-key' && event.id === 'lk_a', 100)
    expect(performance.now() - started).toBeLessThan(100)
    const operator = new pg.Client({ connectionString: url })
    await operator.connect()
    try {
      // The new id is a key created, as far as a verifier that remembered it absent is concerned.
      await operator.query("UPDATE latchkey_api_keys SET id = 'lk_b' WHERE id = 'lk_a'")
      await operator.query("DELETE FROM latchkey_api_keys WHERE id = 'lk_b'")
    } finally {
      await operator.end()
    }
    const announced = () => feed.events.filter((event) => event.type === 'api-key')
    await feed.next(() => announced().length >= 4)
    expect(feed.events.filter((event) => event.type === 'api-key')).toEqual([
      { type: 'api-key', id: 'lk_a' },
      { type: 'api-key', id: 'lk_a' },
      { type: 'api-key', id: 'lk_b' },
      { type: 'api-key', id: 'lk_b' },
    ])
  })

  it('announces nothing for a write that changes nothing, such as revoking a revoked key', async () => {
    const url = await newDatabase()
    const store = await open(url)
    const feed = recorder(store)
    await feed.next((event) => event.type === 'connected')
    await store.insertAccount({
      id: 'acct_a',
      name: 'A',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    await store.insertApiKey({
      id: 'lk_a',
      accountId: 'acct_a',
      secretHash: 'sha256:x',
      scopes: [],
      status: 'revoked',
      createdAt: new Date(),
      ...noDetails,
    })
    await store.setApiKeyStatus('lk_a', 'enabled')
    await store.insertSigningKey({
      kid: 'k1',
      alg: 'EdDSA',
      publicJwk: {},
      privateJwk: {},
      createdAt: new Date(),
      activatesAt: new Date(),
      expiresAt: null,
    })
    await feed.next((event) => event.type === 'signing-keys')
    // Only the key's creation.
    expect(feed.events.filter((event) => event.type === 'api-key')).toEqual([{ type: 'api-key', id: 'lk_a' }])
  })

  it('announces nothing when lastUsedAt moves, so recording uses never empties a status cache', async () => {
    const url = await newDatabase()
    const store = await open(url)
    const feed = recorder(store)
    await feed.next((event) => event.type === 'connected')
    await store.insertAccount({
      id: 'acct_a',
      name: 'A',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    const key = {
      accountId: 'acct_a',
      secretHash: 'sha256:x',
      scopes: [],
      status: 'enabled' as const,
      createdAt: new Date(),
      ...noDetails,
    }
    await store.insertApiKey({ ...key, id: 'lk_a' })
    await store.insertApiKey({ ...key, id: 'lk_b' })
    await store.touchApiKeys(new Map([['lk_a', new Date()]]))
    await store.touchApiKeys(
      new Map([
        ['lk_a', new Date(Date.now() + 1000)],
        ['lk_b', new Date()],
      ]),
    )
    // A status change after them is announced, and is the only one besides the keys' creation.
    await store.setApiKeyStatus('lk_b', 'disabled')
    const announced = () => feed.events.filter((event) => event.type === 'api-key')
    await feed.next(() => announced().length >= 3)
    expect(announced()).toEqual([
      { type: 'api-key', id: 'lk_a' },
      { type: 'api-key', id: 'lk_b' },
      { type: 'api-key', id: 'lk_b' },
    ])
  })

  it('records overlapping lastUsedAt batches from several instances without deadlock, keeping the latest', async () => {
    const url = await newDatabase()
    const instances = await Promise.all([open(url), open(url), open(url)])
    const [first] = instances
    if (!first) throw new Error('No store.')
    await first.insertAccount({
      id: 'acct_a',
      name: 'A',
      email: null,
      status: 'enabled',
      createdAt: new Date(),
      metadata: {},
    })
    const ids = Array.from({ length: 50 }, (_, index) => `lk_${String(index).padStart(2, '0')}`)
    for (const id of ids) {
      await first.insertApiKey({
        id,
        accountId: 'acct_a',
        secretHash: 'sha256:x',
        scopes: [],
        status: 'enabled',
        createdAt: new Date(),
        ...noDetails,
      })
    }
    const base = Date.UTC(2025, 0, 1)
    // Each instance writes every key, in its own order, at instants that interleave.
    await Promise.all(
      instances.flatMap((store, instance) =>
        Array.from({ length: 5 }, (_, round) => {
          const order = instance % 2 === 0 ? ids : [...ids].reverse()
          return store.touchApiKeys(new Map(order.map((id) => [id, new Date(base + round * 10 + instance)])))
        }),
      ),
    )
    for (const key of await first.listApiKeys()) expect(key.lastUsedAt).toEqual(new Date(base + 4 * 10 + 2))
  })

  it('reports disconnected when the server stops, and connected again once it is back', async () => {
    const url = await newDatabase()
    const store = await open(url, { heartbeatInterval: 500 })
    const feed = recorder(store)
    await feed.next((event) => event.type === 'connected')
    feed.events.length = 0
    await cluster.stop()
    try {
      await feed.next((event) => event.type === 'disconnected', 2000)
      await expect(store.findApiKey('lk_a')).rejects.toThrow()
    } finally {
      await cluster.start()
    }
    await feed.next((event) => event.type === 'connected', 5000)
    expect(await store.findApiKey('lk_a')).toBeUndefined()
  })

  it('reports disconnected for every attempt that fails, though it never listened, and connected once one succeeds', async () => {
    const url = await newDatabase()
    const store = await open(url)
    const maintenance = new pg.Client({ connectionString: cluster.url })
    await maintenance.connect()
    const database = pg.escapeIdentifier(decodeURIComponent(new URL(url).pathname.slice(1)))
    // Postgres is up and the store's pool holds its connection, but the feed cannot make one.
    await maintenance.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`)
    try {
      const feed = recorder(store)
      await feed.next((event) => event.type === 'disconnected', 2000)
      // The first retry comes 100 ms later, the next 200 ms after that.
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(feed.events.filter((event) => event.type === 'disconnected').length).toBeGreaterThanOrEqual(2)
      expect(feed.events.some((event) => event.type === 'connected')).toBe(false)
      await maintenance.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`)
      await feed.next((event) => event.type === 'connected', 5000)
    } finally {
      await maintenance.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`)
      await maintenance.end()
    }
  })

  it('reports disconnected when the server stops while the feed is still connecting', async () => {
    const url = await newDatabase()
    const store = await open(url)
    // The first watcher starts the connection: stopped at once, it has not listened yet, as with an
    // instance whose first requests came moments before the outage.
    const feed = recorder(store)
    await cluster.stop()
    try {
      await feed.next((event) => event.type === 'disconnected', 2000)
    } finally {
      await cluster.start()
    }
  })
})
