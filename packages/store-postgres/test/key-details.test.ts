import type { ApiKeyRecord, KeyStoreWatchEvent } from '@latchkey/verifier'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresKeyStore, type PostgresKeyStore } from '../src/index.js'
import { type PostgresCluster, startPostgres } from './postgres-cluster.js'

/**
 * Schema version 4 on a real server: names, descriptions, metadata (jsonb), expiry and rotation
 * links, the update trigger that announces a change of any of them, and the errors of a rotation.
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

let databases = 0
/** A store on a new database, with `lk_a` of `acct_a` in it, and an operator's session on the database. */
async function setUp() {
  databases += 1
  const url = await cluster.createDatabase(`details_${databases}`)
  const store = await openPostgresKeyStore(url)
  stores.push(store)
  const operator = new pg.Client({ connectionString: url })
  await operator.connect()
  clients.push(operator)
  await store.insertAccount({
    id: 'acct_a',
    name: 'A',
    email: null,
    status: 'enabled',
    createdAt: new Date(),
    metadata: {},
  })
  await store.insertApiKey(keyOf('lk_a'))
  return { url, store, operator }
}

function keyOf(id: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    accountId: 'acct_a',
    secretHash: 'sha256:x',
    scopes: ['read'],
    status: 'enabled',
    createdAt: new Date(),
    name: null,
    description: null,
    metadata: {},
    expiresAt: null,
    replaces: null,
    replacedBy: null,
    ...overrides,
  }
}

/** The store's change-feed events, live once `connected` has come. */
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
    events,
    /** The ids of the `api-key` events so far. */
    keys: () => events.flatMap((event) => (event.type === 'api-key' ? [event.id] : [])),
    until,
  }
}

describe('PostgresKeyStore, schema version 4', () => {
  it('announces a change of each cached column made by an operator, and none of last_used_at', async () => {
    const { store, operator } = await setUp()
    const feed = await feedOf(store)
    const changes = [
      "name = 'staging'",
      "description = 'The staging deployment'",
      `metadata = '{"plan": "pro"}'`,
      "expires_at = now() + interval '1 day'",
      "replaces = 'lk_earlier'",
      "replaced_by = 'lk_later'",
      "scopes = '{read,write}'",
    ]
    for (const change of changes) {
      await operator.query(`UPDATE latchkey_api_keys SET ${change} WHERE id = 'lk_a'`)
      await operator.query("UPDATE latchkey_api_keys SET last_used_at = now() WHERE id = 'lk_a'")
    }
    // Re-setting a value it has already announces nothing.
    await operator.query(`UPDATE latchkey_api_keys SET metadata = '{"plan": "pro"}' WHERE id = 'lk_a'`)
    // Notifications arrive in commit order: once the account's is here, every earlier one is.
    await operator.query("UPDATE latchkey_accounts SET name = 'B' WHERE id = 'acct_a'")
    await feed.until(() => feed.events.some((event) => event.type === 'account'))
    expect(feed.keys()).toEqual(changes.map(() => 'lk_a'))
    feed.subscription.close()
  })

  it('announces an account metadata change by the account id', async () => {
    const { store } = await setUp()
    const feed = await feedOf(store)
    await store.updateAccount('acct_a', { metadata: { tier: 2 } })
    await feed.until(() => feed.events.some((event) => event.type === 'account' && event.id === 'acct_a'))
    feed.subscription.close()
  })

  it('stores metadata as a jsonb object and expiry as timestamptz, and refuses metadata that is not an object', async () => {
    const { store, operator } = await setUp()
    const expiresAt = new Date('2030-01-02T03:04:05.678Z')
    await store.updateApiKey('lk_a', { metadata: { plan: 'pro', n: [1, { deep: true }] }, expiresAt })
    const { rows } = await operator.query(
      "SELECT jsonb_typeof(metadata) AS type, metadata -> 'n' -> 1 ->> 'deep' AS deep, expires_at FROM latchkey_api_keys",
    )
    expect(rows).toEqual([{ type: 'object', deep: 'true', expires_at: expiresAt }])
    for (const metadata of ['[1]', '"text"', 'null']) {
      await expect(operator.query('UPDATE latchkey_api_keys SET metadata = $1::jsonb', [metadata])).rejects.toThrow(
        /check constraint/,
      )
      await expect(operator.query('UPDATE latchkey_accounts SET metadata = $1::jsonb', [metadata])).rejects.toThrow(
        /check constraint/,
      )
    }
  })

  it('names the replacement id in the error of a rotation to a taken id, and changes nothing', async () => {
    const { store, operator } = await setUp()
    await store.insertApiKey(keyOf('lk_b'))
    await expect(store.rotateApiKey('lk_a', keyOf('lk_b'), new Date())).rejects.toThrow(
      'An API key with the id "lk_b" already exists.',
    )
    // An operator's link to an id that has no key yet: the unique index still refuses a second one.
    await operator.query("UPDATE latchkey_api_keys SET replaced_by = 'lk_c' WHERE id = 'lk_b'")
    await expect(store.rotateApiKey('lk_a', keyOf('lk_c'), new Date())).rejects.toThrow(
      'An API key with the id "lk_c" already replaced another; give the replacement a new id.',
    )
    await expect(store.rotateApiKey('lk_a', keyOf('lk_d', { accountId: 'acct_none' }), new Date())).rejects.toThrow(
      'No account has the id "acct_none"',
    )
    expect(await store.getApiKey('lk_a')).toMatchObject({ replacedBy: null, expiresAt: null })
    expect((await store.listApiKeys()).map((key) => key.id)).toEqual(['lk_a', 'lk_b'])
  })

  it('upgrades a version 3 database in place: keys read back with no details, and their changes are announced', async () => {
    const { url, operator } = await setUp()
    await Promise.all(stores.splice(0).map((store) => store.close()))
    // Version 3 as an earlier release left it: the version 5 table and the version 4 columns, index
    // and trigger undone.
    await operator.query(`
      DROP TABLE latchkey_revoked_tokens;
      DROP TRIGGER latchkey_api_keys_updated ON latchkey_api_keys;
      DROP INDEX latchkey_api_keys_replaced_by;
      ALTER TABLE latchkey_api_keys DROP COLUMN name, DROP COLUMN description, DROP COLUMN metadata,
        DROP COLUMN expires_at, DROP COLUMN replaces, DROP COLUMN replaced_by;
      ALTER TABLE latchkey_accounts DROP COLUMN metadata;
      CREATE TRIGGER latchkey_api_keys_updated AFTER UPDATE ON latchkey_api_keys
        FOR EACH ROW WHEN (
          (OLD.id, OLD.account_id, OLD.secret_hash, OLD.scopes, OLD.status, OLD.created_at)
          IS DISTINCT FROM (NEW.id, NEW.account_id, NEW.secret_hash, NEW.scopes, NEW.status, NEW.created_at)
        ) EXECUTE FUNCTION latchkey_notify_change();
      DELETE FROM latchkey_schema_migrations WHERE version >= 4;
      INSERT INTO latchkey_api_keys VALUES ('lk_old', 'acct_a', 'sha256:x', '{read}', 'enabled', now(), NULL);
    `)
    const store = await openPostgresKeyStore(url)
    stores.push(store)
    expect(await store.findApiKey('lk_old')).toMatchObject({
      name: null,
      description: null,
      metadata: {},
      expiresAt: null,
      replaces: null,
      replacedBy: null,
      accountStatus: 'enabled',
    })
    expect((await store.getAccount('acct_a'))?.metadata).toEqual({})
    const feed = await feedOf(store)
    await store.updateApiKey('lk_old', { name: 'renamed' })
    await feed.until(() => feed.keys().includes('lk_old'))
    feed.subscription.close()
  })
})
