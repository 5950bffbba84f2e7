import type { ApiKeyCredential } from '../store/key-store.js'
import { formatRateLimit, type RateLimit } from './rate-limit.js'

/** One rate limit as a request of one key counts against it. Internal. */
export interface RateLimitPolicy {
  /** The name the RateLimit fields give it: `key-10-1s`, `account-1000-1h`. */
  readonly name: string
  readonly limit: RateLimit
  /** The counter's key: `key:<keyId>` for the key's own limits, `account:<accountId>` for its account's. */
  readonly counterKey: string
}

/** Made once per credential object: the lookup replaces it whenever the key or its account changes. */
const made = new WeakMap<ApiKeyCredential, readonly RateLimitPolicy[]>()

/** The policies every request of `key` counts against: the key's own limits, then its account's. */
export function rateLimitPolicies(key: ApiKeyCredential): readonly RateLimitPolicy[] {
  let policies = made.get(key)
  if (policies) return policies
  policies = [
    ...policiesOf('key', key.id, key.rateLimits ?? []),
    ...policiesOf('account', key.accountId, key.accountRateLimits ?? []),
  ]
  made.set(key, policies)
  return policies
}

function policiesOf(scope: 'key' | 'account', id: string, limits: readonly RateLimit[]): RateLimitPolicy[] {
  const names = new Set<string>()
  return limits.map((limit) => {
    const base = `${scope}-${formatRateLimit(limit).replace('/', '-')}`
    // The same limit twice is two policies, so each still gets a name of its own.
    let name = base
    for (let n = 2; names.has(name); n++) name = `${base}-${n}`
    names.add(name)
    return { name, limit, counterKey: `${scope}:${id}` }
  })
}
