import { MAX_CREDIT_COST } from './credits.js'

/** What a route asks of the verifier beyond the credentials: see `Verifier.authenticate`. */
export interface AuthenticateRequestOptions {
  /**
   * The credits a request costs, for keys with credits: a whole number, 1 to `MAX_CREDIT_COST`
   * (1,000,000). Rate limits count each request as one whatever its cost. Default: 1.
   */
  readonly cost?: number
}

/**
 * `options` checked, for an adapter to pass to every request of its route: `undefined` when they ask
 * nothing (the cost of 1), so the common route passes nothing. Throws a `TypeError` for a cost that
 * is not a whole number from 1 to `MAX_CREDIT_COST`.
 */
export function requestOptions(options: AuthenticateRequestOptions): AuthenticateRequestOptions | undefined {
  if (options.cost === undefined) return undefined
  return Object.freeze({ cost: requestCost(options.cost) })
}

/** `cost` when it is a whole number from 1 to `MAX_CREDIT_COST`; throws a `TypeError` otherwise. */
export function requestCost(cost: unknown): number {
  if (Number.isSafeInteger(cost) && (cost as number) >= 1 && (cost as number) <= MAX_CREDIT_COST) return cost as number
  throw new TypeError(`cost must be a whole number from 1 to ${MAX_CREDIT_COST}, the credits a request costs.`)
}
