import { expect } from 'vitest'
import type { WalkthroughOptions, WalkthroughReport } from '../src/runtime-walkthrough.js'

/** What a step must show, in the shape {@link expectWalkthroughPassed} compares. */
function expectedSteps(keyId: string) {
  const bearer = { keyId, method: 'bearer' }
  const step = (name: string, body: unknown, client: Record<string, unknown>) => ({
    step: name,
    status: 200,
    body: expect.objectContaining(body),
    authRetries: 0,
    error: undefined,
    ok: true,
    ...client,
  })
  return [
    step('basic', { keyId, method: 'basic' }, { tokenRequests: [], cache: [], newToken: false }),
    step('bearer-get', bearer, { tokenRequests: ['initial'], cache: ['miss'], newToken: true }),
    step(
      'bearer-post',
      { keyId, scopes: expect.arrayContaining(['write']) },
      { tokenRequests: [], cache: ['hit'], newToken: false },
    ),
    // Served at once with the cached token, while one background request fetched the next.
    step('refresh-stale', bearer, { tokenRequests: ['stale'], cache: ['stale'], newToken: true }),
    // Past the expiry margin: the call waited for a new token.
    step('refresh-expired', bearer, { tokenRequests: ['expired'], cache: ['miss'], newToken: true }),
    // The refused token from the shared store, a 401, a new token, one retry.
    step('retry-401', bearer, {
      tokenRequests: ['invalidated'],
      cache: ['miss', 'store', 'miss'],
      authRetries: 1,
      newToken: true,
    }),
  ]
}

/**
 * Asserts that `report`, from whichever runtime, shows every step of the walk-through as it must go
 * against the real example API: statuses, bodies, token requests by reason, cache answers, the retry.
 */
export function expectWalkthroughPassed(report: WalkthroughReport, options: WalkthroughOptions): void {
  const seen = report.steps.map(({ step, status, body, tokenRequests, cache, authRetries, newToken, error, ok }) => ({
    step,
    status,
    body,
    tokenRequests,
    cache,
    authRetries,
    newToken,
    error,
    ok,
  }))
  expect(seen).toEqual(expectedSteps(options.keyId))
  expect(report.ok).toBe(true)
  const text = JSON.stringify(report)
  expect(text).not.toContain(options.secret)
  expect(text).not.toContain(options.refusedToken)
}
