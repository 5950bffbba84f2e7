import { openPostgresKeyStore, type PostgresKeyStore } from '../../../packages/store-postgres/src/index.js'
import {
  openSession,
  type PostgresCluster,
  type SqlSession,
  startPostgres,
} from '../../../packages/store-postgres/test/postgres-cluster.js'
import { basic, call, getTest, json, type ServerProcess, spawnServer, type TestKey } from './harness.js'

export type { PostgresCluster, PostgresKeyStore, SqlSession }
export { openPostgresKeyStore, openSession, startPostgres }

/** The issuer every instance of one deployment shares, whatever port each listens on. */
export const CLUSTER_ISSUER = 'https://api.latchkey.test'

/** Starts `count` example-API processes on the Postgres database at `url`. */
export function spawnInstances(url: string, count: number): Promise<ServerProcess[]> {
  return Promise.all(Array.from({ length: count }, () => spawnServer(url, CLUSTER_ISSUER)))
}

/** The `kid`s an instance publishes in its JWKS. */
export async function publishedKids(url: string): Promise<string[]> {
  const result = await call(url, '/.well-known/jwks.json')
  if (result.status !== 200) throw new Error(`The JWKS answered ${result.status}.`)
  return (json(result).keys as { kid: string }[]).map((jwk) => jwk.kid)
}

/** Statuses of a Basic and a Bearer request to each instance, all at once. */
export async function statuses(urls: readonly string[], key: TestKey, token: string): Promise<number[]> {
  const results = await Promise.all(
    urls.flatMap((url) => [getTest(url, basic(key.id, key.secret)), getTest(url, `Bearer ${token}`)]),
  )
  return results.map((result) => result.status)
}
