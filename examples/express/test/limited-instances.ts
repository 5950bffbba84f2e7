import type { KeyManager } from '@latchkey/verifier/manage'
import { basic, call, type ServerProcess, spawnServer, type TestKey } from './harness.js'
import { CLUSTER_ISSUER } from './postgres.js'

/** Starts `count` example-API processes on the database at `url`, each with `env` (LATCHKEY_REDIS_URL…). */
export function spawnLimitedInstances(
  url: string,
  count: number,
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess[]> {
  return Promise.all(Array.from({ length: count }, () => spawnServer(url, CLUSTER_ISSUER, env)))
}

/** Creates an account and a key with `limits` (rate limits, credits) in it. */
export async function createLimitedKey(
  manager: KeyManager,
  limits: { readonly rateLimits?: { count: number; window: number }[]; readonly credits?: number } = {},
): Promise<TestKey> {
  const account = await manager.createAccount({ name: 'Limited' })
  const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'], ...limits })
  return { accountId: account.id, id: key.id, secret: key.secret }
}

/**
 * Sends `total` requests for `GET /api/test` with `key`'s Basic credentials all at once, spread
 * evenly over `urls`, and tallies the answers as `STATUS` or `STATUS error` (`429 rate_limited`).
 */
export async function burst(urls: readonly string[], key: TestKey, total: number): Promise<Record<string, number>> {
  const authorization = basic(key.id, key.secret)
  const answers = await Promise.all(
    Array.from({ length: total }, (_, index) =>
      call(urls[index % urls.length] ?? '', '/api/test', { headers: { authorization }, timeout: 15_000 }),
    ),
  )
  const tally: Record<string, number> = {}
  for (const answer of answers) {
    const error = answer.status === 200 ? undefined : (JSON.parse(answer.body) as { error?: string }).error
    const outcome = error === undefined ? String(answer.status) : `${answer.status} ${error}`
    tally[outcome] = (tally[outcome] ?? 0) + 1
  }
  return tally
}
