import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LatchkeyError } from '../errors.js'
import type { FailureLimiter } from '../store/failure-limiter.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import { FailureThrottle, type FailureThrottleOptions } from './failure-throttle.js'
import { memoryFailureLimiter } from './memory-failure-limiter.js'
import { admitsNow, checkThrottled } from './throttled-check.js'

const KNOWN = `lk_${'K'.repeat(24)}`
const UNKNOWN = `lk_${'U'.repeat(24)}`
const RIGHT = 'lksecret_right'
const ATTACKER = '203.0.113.9'
const OWNER = '198.51.100.7'

const credential = { id: KNOWN } as ApiKeyCredential

/** The credential check of a store holding KNOWN with RIGHT: every other id or secret is refused alike. */
async function check(keyId: string, secret: string): Promise<ApiKeyCredential> {
  if (keyId === KNOWN && secret === RIGHT) return credential
  throw new LatchkeyError('ERR_INVALID_CREDENTIALS', 'The API key is not valid.', {
    reason: keyId === KNOWN ? 'wrong_secret' : 'unknown_key',
  })
}

/** What a caller would see: 200, 401 or 429 with its Retry-After and limit. */
async function attempt(
  throttle: FailureThrottle,
  keyId: string,
  secret: string,
  address: string | undefined,
): Promise<string> {
  try {
    await checkThrottled(throttle, { keyId, address }, () => check(keyId, secret))
    return '200'
  } catch (error) {
    if (!(error instanceof LatchkeyError)) throw error
    if (error.code === 'ERR_TOO_MANY_ATTEMPTS') return `429 retry=${error.retryAfter} limit=${error.limit}`
    return error.code === 'ERR_INVALID_CREDENTIALS' ? '401' : error.code
  }
}

function throttleWith(options: FailureThrottleOptions = {}): FailureThrottle {
  return new FailureThrottle(options, undefined, 1000)
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('Failure throttling', () => {
  it('blocks an address for a key id at its 10th failure, for 1 s, then 2 s, 4 s… up to the cap', async () => {
    const throttle = throttleWith({ maxBlock: 8 })
    const answers: string[] = []
    for (let index = 0; index < 10; index++) answers.push(await attempt(throttle, KNOWN, 'wrong', ATTACKER))
    expect(answers).toEqual(Array(10).fill('401'))

    // Blocked: refused before any check, a correct secret included.
    expect(await attempt(throttle, KNOWN, RIGHT, ATTACKER)).toBe('429 retry=1 limit=10')
    const blocks: number[] = []
    for (let round = 0; round < 5; round++) {
      const answer = await attempt(throttle, KNOWN, 'wrong', ATTACKER)
      const retry = Number(/retry=(\d+)/.exec(answer)?.[1])
      await vi.advanceTimersByTimeAsync(retry * 1000)
      // The block has ended: the next wrong secret is checked, refused, and starts a longer block.
      expect(await attempt(throttle, KNOWN, 'wrong', ATTACKER)).toBe('401')
      blocks.push(Number(/retry=(\d+)/.exec(await attempt(throttle, KNOWN, 'wrong', ATTACKER))?.[1]))
    }
    expect(blocks).toEqual([2, 4, 8, 8, 8])
  })

  it('forgets failures once the window has passed', async () => {
    const throttle = throttleWith({ window: 60 })
    for (let index = 0; index < 9; index++) await attempt(throttle, KNOWN, 'wrong', ATTACKER)
    await vi.advanceTimersByTimeAsync(61_000)
    for (let index = 0; index < 9; index++) expect(await attempt(throttle, KNOWN, 'wrong', ATTACKER)).toBe('401')
  })

  it('answers an unknown id exactly as a known one, failure after failure', async () => {
    const known = throttleWith({ perKey: 15 })
    const unknown = throttleWith({ perKey: 15 })
    const run = async (throttle: FailureThrottle, keyId: string): Promise<string[]> => {
      const answers: string[] = []
      for (let index = 0; index < 40; index++) {
        // Several addresses, so that the per-key-id counter is crossed too.
        answers.push(await attempt(throttle, keyId, `wrong${index}`, `192.0.2.${index % 4}`))
        if (index % 7 === 6) await vi.advanceTimersByTimeAsync(1500)
      }
      return answers
    }
    const knownAnswers = await run(known, KNOWN)
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'))
    const unknownAnswers = await run(unknown, UNKNOWN)
    expect(knownAnswers.some((answer) => answer.startsWith('429'))).toBe(true)
    expect(unknownAnswers).toEqual(knownAnswers)
  })

  it('lets the owner in from another address while the key id is over its limit, and answers 429 to wrong secrets', async () => {
    const throttle = throttleWith({ perKey: 5 })
    // An attacker spread over many addresses, none of them over its own limits.
    for (let index = 0; index < 20; index++) await attempt(throttle, KNOWN, 'wrong', `192.0.2.${index}`)
    expect(await attempt(throttle, KNOWN, 'wrong', '192.0.2.200')).toMatch(/^429 retry=\d+ limit=5$/)
    expect(await attempt(throttle, UNKNOWN, 'wrong', '192.0.2.200')).toBe('401')
    for (let index = 0; index < 20; index++) expect(await attempt(throttle, KNOWN, RIGHT, OWNER)).toBe('200')
  })

  it('keeps the owner in from another address while one address hammers the key', async () => {
    const throttle = throttleWith()
    const answers = new Set<string>()
    for (let index = 0; index < 2000; index++) {
      answers.add((await attempt(throttle, KNOWN, `wrong${index}`, ATTACKER)).replace(/retry=\d+/, 'retry=N'))
      if (index % 100 === 0) expect(await attempt(throttle, KNOWN, RIGHT, OWNER)).toBe('200')
      if (index % 50 === 0) await vi.advanceTimersByTimeAsync(1000)
    }
    expect([...answers]).toEqual(['401', '429 retry=N limit=10'])
  })

  it('starts the count of an address for a key id again after a success, but not its count over all ids', async () => {
    const throttle = throttleWith({ perAddress: 25 })
    for (let round = 0; round < 2; round++) {
      for (let index = 0; index < 9; index++) expect(await attempt(throttle, KNOWN, 'wrong', OWNER)).toBe('401')
      expect(await attempt(throttle, KNOWN, RIGHT, OWNER)).toBe('200')
    }
    // 18 failures so far from OWNER: 7 more on other ids reach its per-address limit of 25.
    for (let index = 0; index < 7; index++) await attempt(throttle, `lk_other${index}`, 'wrong', OWNER)
    expect(await attempt(throttle, KNOWN, RIGHT, OWNER)).toBe('429 retry=1 limit=25')
    expect(await attempt(throttle, KNOWN, RIGHT, '198.51.100.8')).toBe('200')
  })

  it('blocks an address guessing many ids at its per-address limit, whatever the ids', async () => {
    const throttle = throttleWith()
    for (let index = 0; index < 100; index++) {
      expect(await attempt(throttle, `lk_guess${index}`, 'wrong', ATTACKER)).toBe('401')
    }
    expect(await attempt(throttle, UNKNOWN, 'wrong', ATTACKER)).toBe('429 retry=1 limit=100')
    expect(await attempt(throttle, KNOWN, RIGHT, ATTACKER)).toBe('429 retry=1 limit=100')
  })

  it('counts an IPv6 client by its /64', async () => {
    const throttle = throttleWith()
    for (let index = 0; index < 10; index++) await attempt(throttle, KNOWN, 'wrong', `2001:db8:1:2::${index + 1}`)
    expect(await attempt(throttle, KNOWN, RIGHT, '2001:db8:1:2:ffff::9')).toMatch(/^429/)
    expect(await attempt(throttle, KNOWN, RIGHT, '2001:db8:1:3::1')).toBe('200')
  })

  it('counts by key id alone when the client address is unknown', async () => {
    const throttle = throttleWith({ perKey: 3 })
    for (let index = 0; index < 3; index++) expect(await attempt(throttle, KNOWN, 'wrong', undefined)).toBe('401')
    expect(await attempt(throttle, KNOWN, 'wrong', undefined)).toMatch(/^429/)
    expect(await attempt(throttle, KNOWN, RIGHT, undefined)).toBe('200')
  })

  it('does not count a store outage as a failure', async () => {
    const throttle = throttleWith()
    const outage = () => Promise.reject(new LatchkeyError('ERR_STORE_UNAVAILABLE', 'The key store is unavailable.'))
    for (let index = 0; index < 30; index++) {
      await expect(checkThrottled(throttle, { keyId: KNOWN, address: ATTACKER }, outage)).rejects.toMatchObject({
        code: 'ERR_STORE_UNAVAILABLE',
      })
    }
    expect(await attempt(throttle, KNOWN, RIGHT, ATTACKER)).toBe('200')
  })

  it('checks credentials as if unthrottled when the limiter fails or does not answer', async () => {
    const broken: FailureLimiter = {
      penalty: () => Promise.reject(new Error('down')),
      get: () => new Promise(() => undefined),
      block: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
    }
    const throttle = new FailureThrottle({ limiter: () => broken }, undefined, 50)
    const answer = attempt(throttle, KNOWN, RIGHT, ATTACKER)
    await vi.advanceTimersByTimeAsync(50)
    expect(await answer).toBe('200')
    const wrong = attempt(throttle, KNOWN, 'wrong', ATTACKER)
    await vi.advanceTimersByTimeAsync(50)
    expect(await wrong).toBe('401')
  })

  it('refuses settings out of range', () => {
    expect(() => throttleWith({ perKeyAndAddress: 0 })).toThrow(/perKeyAndAddress must be between 1/)
    expect(() => throttleWith({ initialBlock: 10, maxBlock: 5 })).toThrow(/maxBlock must be between 10/)
  })
})

describe('The in-process limiter', () => {
  it('holds at most its capacity of keys, forgetting the one written longest ago', async () => {
    const limiter = memoryFailureLimiter(2)({ keyPrefix: 'test', points: 5, duration: 60 })
    await limiter.penalty('a')
    await limiter.penalty('b')
    await limiter.penalty('a')
    await limiter.penalty('c')
    expect(await limiter.get('b')).toBeNull()
    expect((await limiter.get('a'))?.consumedPoints).toBe(2)
    expect((await limiter.get('c'))?.consumedPoints).toBe(1)
  })

  it('says it holds nothing only while no key has a count, and the throttle admits at once only then', async () => {
    const limiter = memoryFailureLimiter(4)({ keyPrefix: 'test', points: 5, duration: 60 })
    expect(limiter.holdsNone?.()).toBe(true)
    await limiter.penalty('a')
    expect(limiter.holdsNone?.()).toBe(false)
    await limiter.delete('a')
    expect(limiter.holdsNone?.()).toBe(true)

    const throttle = throttleWith()
    expect(throttle.holdsNone()).toBe(true)
    expect(admitsNow(throttle, { keyId: KNOWN, address: ATTACKER })).toBe(true)
    expect(await attempt(throttle, KNOWN, 'wrong', ATTACKER)).toBe('401')
    // A failure on record: no shortcut, and only the subject it was counted for is held back.
    expect(throttle.holdsNone()).toBe(false)
    expect(admitsNow(throttle, { keyId: KNOWN, address: ATTACKER })).toBe(false)
    expect(admitsNow(throttle, { keyId: KNOWN, address: OWNER })).toBe(true)
    // The owner's success from that address starts its pair count again: nothing is on record.
    expect(await attempt(throttle, KNOWN, RIGHT, ATTACKER)).toBe('200')
    expect(throttle.holdsNone()).toBe(true)
  })

  it('never says it holds nothing with a shared limiter, which cannot know without a read', () => {
    const shared = (): FailureLimiter => ({
      penalty: async () => ({ consumedPoints: 1, msBeforeNext: 1000 }),
      get: async () => null,
      block: async () => undefined,
      delete: async () => false,
    })
    const throttle = new FailureThrottle({}, () => shared(), 1000)
    expect(throttle.holdsNone()).toBe(false)
    expect(admitsNow(throttle, { keyId: KNOWN, address: ATTACKER })).toBe(false)
  })
})
