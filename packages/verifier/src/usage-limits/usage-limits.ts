import { rateLimitField, rateLimitPolicyField } from '../http/answers.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import { type CreditCheckParts, spendRequestCredits } from './credit-check.js'
import type { RateLimitCheck } from './rate-limit-check.js'
import { type RateLimitPolicy, rateLimitPolicies } from './rate-limit-policies.js'
import type { RateLimitStatus } from './rate-limit-status.js'

/**
 * Whether requests of `key` are limited: it, or its account, has rate limits, or it has credits.
 * Read on every authenticated request: property reads only, nothing made.
 */
export function isLimited(key: ApiKeyCredential): boolean {
  return (
    (key.credits !== undefined && key.credits !== null) ||
    (key.rateLimits !== undefined && key.rateLimits.length > 0) ||
    (key.accountRateLimits !== undefined && key.accountRateLimits.length > 0)
  )
}

/** What {@link UsageLimits} is made of. Internal. */
export interface UsageLimitsParts extends CreditCheckParts {
  readonly rateLimits: RateLimitCheck
}

/**
 * Enforces a key's usage limits on an authenticated API request (never on the token or revocation
 * endpoint): first its and its account's rate limits, each request counting one, then, only when
 * they let it through, its credits, the request costing `cost`. Internal.
 */
export class UsageLimits {
  readonly #parts: UsageLimitsParts

  constructor(parts: UsageLimitsParts) {
    this.#parts = parts
  }

  /**
   * Admits a request of `key`, a key {@link isLimited}: answers with the RateLimit fields for the
   * API's answer (`undefined` for a key with credits alone), or throws `ERR_RATE_LIMITED`,
   * `ERR_CREDITS_EXHAUSTED` or `ERR_STORE_UNAVAILABLE`. At once when its rate limits are counted in
   * memory and it has no credits; through a promise (which rejects with the same errors) otherwise.
   */
  admit(key: ApiKeyCredential, cost: number): RateLimitFields | undefined | Promise<RateLimitFields | undefined> {
    const policies = rateLimitPolicies(key)
    if (policies.length === 0) return this.#spend(key, cost, undefined, undefined)
    const statuses = this.#parts.rateLimits.consume(policies)
    return statuses instanceof Promise
      ? statuses.then((counted) => this.#spend(key, cost, counted, fieldsOf(counted, policies)))
      : this.#spend(key, cost, statuses, fieldsOf(statuses, policies))
  }

  /**
   * Spends `key`'s credits, if it has any, once its rate limits (`statuses`, answered with `fields`)
   * let the request through.
   */
  #spend(
    key: ApiKeyCredential,
    cost: number,
    statuses: readonly RateLimitStatus[] | undefined,
    fields: RateLimitFields | undefined,
  ): RateLimitFields | undefined | Promise<RateLimitFields | undefined> {
    if (!key.credits) return fields
    return spendRequestCredits(this.#parts, key.id, cost, statuses).then(() => fields)
  }
}

type RateLimitFields = Readonly<Record<string, string>>

/** `RateLimit-Policy` of each set of policies: made at its first request, as it changes only with them. */
const policyFields = new WeakMap<readonly RateLimitPolicy[], string>()

/** The RateLimit fields of an answer within the limits (see `rateLimitFields`), `statuses` those of `policies`. */
function fieldsOf(statuses: readonly RateLimitStatus[], policies: readonly RateLimitPolicy[]): RateLimitFields {
  let policy = policyFields.get(policies)
  if (policy === undefined) {
    policy = rateLimitPolicyField(statuses)
    policyFields.set(policies, policy)
  }
  return { 'RateLimit-Policy': policy, RateLimit: rateLimitField(statuses) }
}
