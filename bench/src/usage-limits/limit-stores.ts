// The throwaway Postgres and Redis of `bench:limits`. Imported only when `--limits` is given, so that
// the default run needs neither `pg` nor the binaries.
import { openPostgresKeyStore } from '@latchkey/store-postgres'
import { createKeyManager } from '@latchkey/verifier/manage'
import {
  openSession,
  type PostgresCluster,
  startPostgres,
} from '../../../packages/store-postgres/test/postgres-cluster.js'
import { type Fixture, writeFixture } from '../fixture.js'
import type { LimitStoreUrls } from './limit-store-urls.js'
import { createLimitedKeys } from './limited-keys.js'
import { parentOf, pinTree } from './process-tree.js'
import { type RedisProcess, startRedis } from './redis-process.js'

/** What {@link startLimitStores} needs. */
export interface LimitStoresOptions {
  readonly fixture: Fixture
  /** The fixture file, written again with the stores' URLs for the server processes. */
  readonly fixturePath: string
  /** The CPU the stores are pinned to, the servers' one; none to leave placement to the scheduler. */
  readonly cpu: number | undefined
  readonly log: (message: string) => void
}

/** The running stores: their URLs and keys (also in the fixture file), and how to stop them. */
export interface LimitStores {
  readonly urls: LimitStoreUrls
  readonly fixture: Fixture
  /** Stops both and removes Postgres's data folder. */
  stop(): Promise<void>
}

/**
 * Starts a throwaway Postgres cluster (packages/store-postgres's test helper: fsync off, as its tests
 * run it) with the Postgres rows' keys in a database of its own, and a redis-server that keeps nothing
 * on disk, both on loopback, pinned with the servers. A store that cannot start (its binary missing)
 * is skipped with one line, and so are its rows.
 */
export async function startLimitStores({ fixture, fixturePath, cpu, log }: LimitStoresOptions): Promise<LimitStores> {
  let cluster: PostgresCluster | undefined
  let redis: RedisProcess | undefined
  // A run stopped by its deadline or Ctrl-C exits without `finally`: the postmaster must not outlive it.
  let postmaster: number | undefined
  const onExit = (): void => {
    if (postmaster !== undefined) kill(postmaster, 'SIGINT')
  }
  process.on('exit', onExit)
  const stop = async (): Promise<void> => {
    process.off('exit', onExit)
    await Promise.all([cluster?.destroy(), redis?.stop()])
  }
  try {
    let postgres: LimitStoreUrls['postgres']
    try {
      cluster = await startPostgres()
      postmaster = await postmasterOf(cluster.url)
      if (postmaster !== undefined) pinTree(postmaster, cpu)
      postgres = await createPostgresKeys(await cluster.createDatabase('latchkey_bench'))
    } catch (error) {
      log(`Skipping the Postgres rows: ${firstLine(error)}`)
    }
    try {
      redis = await startRedis(cpu)
    } catch (error) {
      log(`Skipping the Redis rows: ${firstLine(error)} (install redis-server to measure them).`)
    }
    const urls: LimitStoreUrls = {
      ...(postgres ? { postgres } : {}),
      ...(redis ? { redis: { url: redis.url } } : {}),
    }
    const withStores: Fixture = { ...fixture, limitStores: urls }
    writeFixture(fixturePath, withStores)
    return { urls, fixture: withStores, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Migrates the database at `url` and creates an account with a key without limits, and the limited keys. */
async function createPostgresKeys(url: string): Promise<NonNullable<LimitStoreUrls['postgres']>> {
  const store = await openPostgresKeyStore(url)
  try {
    const manager = createKeyManager(store)
    const account = await manager.createAccount({ name: 'Bench' })
    const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    return { url, unlimited: { keyId: key.id, secret: key.secret }, limitedKeys: await createLimitedKeys(manager) }
  } finally {
    await store.close()
  }
}

/** The postmaster's pid: the parent of the backend serving a connection (when root runs the tests, runuser's child). */
async function postmasterOf(url: string): Promise<number | undefined> {
  const session = await openSession(url)
  try {
    const [row] = (await session.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[]
    return row === undefined ? undefined : parentOf(row.pid)
  } finally {
    await session.end()
  }
}

function firstLine(error: unknown): string {
  // The first line only (a failed start appends the process's output), without its trailing colon.
  return ((error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '').replace(/:$/, '')
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // Already gone.
  }
}
