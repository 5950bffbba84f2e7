import {
  type Account,
  type ApiKeyRecord,
  type KeyCredits,
  type KeyStoreWatchEvent,
  LatchkeyError,
  nextRefill,
} from '@latchkey/verifier'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresKeyStore, type PostgresKeyStore } from '../src/index.js'
import { openSession, type PostgresCluster, startPostgres } from './postgres-cluster.js'

/** Credits and limits on Postgres: exact across instances, refilled at UTC boundaries, announced only when set. */
let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await startPostgres()
})
afterAll(async () => {
  await cluster?.destroy()
})

const stores: PostgresKeyStore[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()))
})

let databases = 0
/** A new database with account `acct_a`, and `count` stores (separate pools, as instances have) on it. */
async function instances(count: number): Promise<{ url: string; stores: PostgresKeyStore[] }> {
  databases += 1
  const url = await cluster.createDatabase(`credits_${databases}`)
  const opened = await Promise.all(Array.from({ length: count }, () => openPostgresKeyStore(url)))
  stores.push(...opened)
  await opened[0]?.insertAccount(account)
  return { url, stores: opened }
}

const account: Account = {
  id: 'acct_a',
  name: 'A',
  email: null,
  status: 'enabled',
  createdAt: new Date(0),
  metadata: {},
}

function key(id: string, credits: KeyCredits | null): ApiKeyRecord {
  return {
    id,
    accountId: 'acct_a',
    secretHash: 'sha256:x',
    scopes: [],
    status: 'enabled',
    createdAt: new Date(0),
    name: null,
    description: null,
    metadata: {},
    expiresAt: null,
    replaces: null,
    replacedBy: null,
    ...(credits ? { credits } : {}),
  }
}

/** Collects a store's change-feed events, once its feed is connected. */
async function recorder(store: PostgresKeyStore) {
  const events: KeyStoreWatchEvent[] = []
  const subscription = store.watch((event) => events.push(event))
  const until = async (predicate: () => boolean, what: string) => {
    const started = performance.now()
    while (!predicate()) {
      if (performance.now() - started > 5000) throw new Error(`No ${what} within 5 s: ${JSON.stringify(events)}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  await until(() => events.some((event) => event.type === 'connected'), 'connection')
  const keys = () => events.flatMap((event) => (event.type === 'api-key' ? [event.id] : []))
  return { events, subscription, keys, until }
}

describe('Credits on the Postgres store', () => {
  it('grants exactly 50 of 200 concurrent spends of 1 against 50 credits through two instances', async () => {
    const { stores: [one, two] = [] } = await instances(2)
    if (!one || !two) throw new Error('No stores.')
    await one.insertApiKey(key('lk_a', { remaining: 50, refill: null, refillsAt: null }))
    const now = new Date()
    const spends = await Promise.all(
      Array.from({ length: 200 }, (_, index) => (index % 2 === 0 ? one : two).spendCredits('lk_a', 1, now)),
    )
    expect(spends.filter((spend) => spend?.spent)).toHaveLength(50)
    // Each grant saw a different balance: no credit was granted twice.
    const left = spends.flatMap((spend) => (spend?.spent ? [spend.remaining] : []))
    expect(new Set(left).size).toBe(50)
    expect(Math.min(...left)).toBe(0)
    expect(spends.filter((spend) => spend?.spent === false).every((spend) => spend?.remaining === 0)).toBe(true)
    expect((await two.getApiKey('lk_a'))?.credits?.remaining).toBe(0)
  })

  it.for<[string, 'day' | 'month', string, string]>([
    ['at the turn of a month', 'month', '2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z'],
    ['at the turn of a year', 'day', '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z'],
    ['on the last day of a 31-day month', 'month', '2025-01-31T23:59:59.999Z', '2025-02-01T00:00:00.000Z'],
    ['on 29 February', 'day', '2024-02-29T12:00:00.000Z', '2024-03-01T00:00:00.000Z'],
  ])('refills %s and moves the refill to the instant nextRefill gives', async ([, interval, at, next]) => {
    const {
      stores: [store],
    } = await instances(1)
    if (!store) throw new Error('No store.')
    const now = new Date(at)
    expect(nextRefill(interval, now).toISOString()).toBe(next)
    // Due exactly now: a refill due at or before now has happened.
    await store.insertApiKey(key('lk_a', { remaining: 0, refill: { amount: 10, interval }, refillsAt: now }))
    expect(await store.spendCredits('lk_a', 3, now)).toEqual({ spent: true, remaining: 7, refillsAt: new Date(next) })
    expect((await store.findApiKey('lk_a'))?.credits).toEqual({
      remaining: 7,
      refill: { amount: 10, interval },
      refillsAt: new Date(next),
    })
    // Not due a millisecond before the next instant.
    const before = new Date(new Date(next).getTime() - 1)
    expect(await store.spendCredits('lk_a', 8, before)).toEqual({
      spent: false,
      remaining: 7,
      refillsAt: new Date(next),
    })
  })

  it('shares one balance between a key and its replacement, set through either, spent by both', async () => {
    const {
      stores: [one, two],
    } = await instances(2)
    if (!one || !two) throw new Error('No stores.')
    await one.insertApiKey(key('lk_a', { remaining: 10, refill: null, refillsAt: null }))
    const rotated = await one.rotateApiKey(
      'lk_a',
      key('lk_b', { remaining: 10, refill: null, refillsAt: null }),
      new Date(Date.now() + 60_000),
    )
    expect(rotated.rotated && rotated.replacement.credits?.remaining).toBe(10)
    const now = new Date()
    expect(await two.spendCredits('lk_a', 4, now)).toMatchObject({ spent: true, remaining: 6 })
    expect(await two.spendCredits('lk_b', 4, now)).toMatchObject({ spent: true, remaining: 2 })
    expect(await one.spendCredits('lk_a', 3, now)).toMatchObject({ spent: false, remaining: 2 })
    // Set through the replacement: both read the new balance, with its refill.
    const credits: KeyCredits = {
      remaining: 5,
      refill: { amount: 5, interval: 'day' },
      refillsAt: nextRefill('day', now),
    }
    expect((await two.updateApiKey('lk_b', { credits }))?.credits).toEqual(credits)
    for (const id of ['lk_a', 'lk_b']) {
      expect((await one.getApiKey(id))?.credits).toEqual(credits)
      expect((await two.findApiKey(id))?.credits).toEqual(credits)
    }
    // Unmetering the previous key leaves the replacement its balance.
    await one.updateApiKey('lk_a', { credits: null })
    expect((await one.getApiKey('lk_a'))?.credits ?? null).toBeNull()
    expect(await one.spendCredits('lk_a', 1, now)).toBeUndefined()
    expect(await one.spendCredits('lk_b', 1, now)).toMatchObject({ spent: true, remaining: 4 })
  })

  it('announces credits set for every key on the balance, but no spend, whoever writes', async () => {
    const {
      url,
      stores: [one, two],
    } = await instances(2)
    if (!one || !two) throw new Error('No stores.')
    await one.insertApiKey(
      key('lk_a', { remaining: 10, refill: { amount: 10, interval: 'day' }, refillsAt: new Date(0) }),
    )
    await one.rotateApiKey('lk_a', key('lk_b', null), new Date(Date.now() + 60_000))
    const feed = await recorder(one)
    try {
      await two.spendCredits('lk_a', 1, new Date())
      await two.spendCredits('lk_b', 1, new Date())
      // Only the remaining count changes (as a spend's would): still announced, for both keys.
      await two.updateApiKey('lk_b', {
        credits: { remaining: 3, refill: { amount: 10, interval: 'day' }, refillsAt: nextRefill('day', new Date()) },
      })
      await feed.until(() => feed.keys().includes('lk_a') && feed.keys().includes('lk_b'), 'announcement of both keys')
      // Notifications arrive in commit order: the spends, committed first, announced nothing.
      expect(feed.keys().sort()).toEqual(['lk_a', 'lk_b'])
      feed.events.splice(0)
      // An operator's spend in psql is not announced either; an operator's change of the refill is.
      const session = await openSession(url)
      try {
        await session.query(
          "UPDATE latchkey_api_keys SET credits_remaining = 1, credits_refills_at = now() WHERE id = 'lk_a'",
        )
        await session.query("UPDATE latchkey_api_keys SET credits_refill_amount = 20 WHERE id = 'lk_a'")
      } finally {
        await session.end()
      }
      await feed.until(() => feed.keys().includes('lk_a'), 'announcement of the refill')
      expect(feed.keys()).toEqual(['lk_a'])
    } finally {
      feed.subscription.close()
    }
  })

  it('upgrades a version 5 database in place: keys read back unlimited and unmetered, then take limits and credits', async () => {
    const { url, stores: [store] = [] } = await instances(1)
    if (!store) throw new Error('No store.')
    await store.insertApiKey(key('lk_a', null))
    await Promise.all(stores.splice(0).map((each) => each.close()))
    const session = await openSession(url)
    try {
      // Version 5 as the previous release left it: CASCADE drops the update trigger that names the columns.
      await session.query(`
        DROP TABLE latchkey_usage;
        ALTER TABLE latchkey_accounts DROP COLUMN rate_limits;
        ALTER TABLE latchkey_api_keys DROP COLUMN rate_limits CASCADE, DROP COLUMN credits_remaining CASCADE,
          DROP COLUMN credits_refill_amount CASCADE, DROP COLUMN credits_refill_interval CASCADE,
          DROP COLUMN credits_refills_at CASCADE, DROP COLUMN credits_balance_id CASCADE;
        DELETE FROM latchkey_schema_migrations WHERE version >= 6;
      `)
    } finally {
      await session.end()
    }
    const upgraded = await openPostgresKeyStore(url)
    stores.push(upgraded)
    const found = await upgraded.findApiKey('lk_a')
    expect(found).not.toHaveProperty('rateLimits')
    expect(found).not.toHaveProperty('credits')
    expect(found).not.toHaveProperty('accountRateLimits')
    const feed = await recorder(upgraded)
    try {
      await upgraded.updateApiKey('lk_a', { rateLimits: [{ count: 5, window: 10 }] })
      await feed.until(() => feed.keys().includes('lk_a'), 'announcement of the limits')
      await upgraded.updateApiKey('lk_a', { credits: { remaining: 2, refill: null, refillsAt: null } })
      expect(await upgraded.spendCredits('lk_a', 2, new Date())).toMatchObject({ spent: true, remaining: 0 })
      await upgraded.recordUsage([{ keyId: 'lk_a', hour: new Date(0), outcome: 'served', count: 2 }], new Date(0))
      expect(await upgraded.listUsage({ accountId: 'acct_a', since: new Date(0) })).toEqual([
        { keyId: 'lk_a', accountId: 'acct_a', hour: new Date(0), outcome: 'served', count: 2 },
      ])
    } finally {
      feed.subscription.close()
    }
  })

  it('refuses to read rate limits an operator stored malformed, rather than read them as none', async () => {
    const { url, stores: [store] = [] } = await instances(1)
    if (!store) throw new Error('No store.')
    await store.insertApiKey({ ...key('lk_a', null), rateLimits: [{ count: 5, window: 10 }] })
    const session = await openSession(url)
    try {
      await session.query(`UPDATE latchkey_api_keys SET rate_limits = '[{"count": 0, "window": 10}]' WHERE id = 'lk_a'`)
      await session.query(`UPDATE latchkey_accounts SET rate_limits = '[{"count": 5}]' WHERE id = 'acct_a'`)
    } finally {
      await session.end()
    }
    for (const read of [
      () => store.findApiKey('lk_a'),
      () => store.getApiKey('lk_a'),
      () => store.getAccount('acct_a'),
    ]) {
      const error = await read().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(LatchkeyError)
      expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
      expect((error as Error).message).toMatch(/rate limits of (API key "lk_a"|account "acct_a")/)
    }
  })
})
