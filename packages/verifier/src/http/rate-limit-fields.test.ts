import { describe, expect, it } from 'vitest'
import { LatchkeyError } from '../errors.js'
import { errorAnswer, rateLimitFields, refusalRateLimitFields } from './answers.js'

const challenge = { realm: 'api' }

describe('The RateLimit fields', () => {
  it('list every policy in the current draft fields, and nothing else on an answer within the limits', () => {
    const statuses = [
      { policy: 'key-10-1s', quota: 10, window: 1, remaining: 3, reset: 1 },
      { policy: 'account-1000-1h', quota: 1000, window: 3600, remaining: 3, reset: 1800 },
      { policy: 'key-100-1d', quota: 100, window: 86_400, remaining: 50, reset: 40_000 },
    ]
    const current = {
      'RateLimit-Policy': '"key-10-1s";q=10;w=1, "account-1000-1h";q=1000;w=3600, "key-100-1d";q=100;w=86400',
      RateLimit: '"key-10-1s";r=3;t=1, "account-1000-1h";r=3;t=1800, "key-100-1d";r=50;t=40000',
    }
    expect(rateLimitFields(statuses)).toEqual(current)
    // A 429 adds the -07 fields of the policy closest to exhaustion: fewest left, then the longest wait.
    expect(refusalRateLimitFields(statuses)).toEqual({
      ...current,
      'RateLimit-Limit': '1000',
      'RateLimit-Remaining': '3',
      'RateLimit-Reset': '1800',
    })
  })

  it("are on the failure throttle's 429 too, as one policy named failures", () => {
    const error = new LatchkeyError('ERR_TOO_MANY_ATTEMPTS', 'Too many failed attempts.', {
      retryAfter: 4.2,
      limit: 10,
    })
    expect(errorAnswer(error, 'token', challenge).headers).toMatchObject({
      'Retry-After': '5',
      'RateLimit-Policy': '"failures";q=10',
      RateLimit: '"failures";r=0;t=5',
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '5',
    })
  })

  it('come with a rate-limited 429 and its Retry-After, and a spent balance without a refill has no Retry-After', () => {
    const rateLimits = [{ policy: 'key-5-10s', quota: 5, window: 10, remaining: 0, reset: 7 }]
    const limited = new LatchkeyError('ERR_RATE_LIMITED', 'The rate limit is reached.', { retryAfter: 7, rateLimits })
    const answer = errorAnswer(limited, 'resource', challenge)
    expect(answer.status).toBe(429)
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'rate_limited' })
    expect(answer.headers).toMatchObject({
      'Retry-After': '7',
      RateLimit: '"key-5-10s";r=0;t=7',
      'RateLimit-Limit': '5',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '7',
    })
    const spent = errorAnswer(new LatchkeyError('ERR_CREDITS_EXHAUSTED', 'No credits.'), 'resource', challenge)
    expect(spent.status).toBe(429)
    expect(JSON.parse(spent.body)).toMatchObject({ error: 'credits_exhausted' })
    expect(spent.headers['Retry-After']).toBeUndefined()
    expect(spent.headers.RateLimit).toBeUndefined()
  })
})
