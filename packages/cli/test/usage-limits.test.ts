import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { hourOf } from '@latchkey/verifier'
import { describe, expect, it } from 'vitest'
import { inProcessCli, type KeyJson } from './in-process.js'

const { ok, fails, latchkey, withStore, workDir } = inProcessCli('latchkey-usage-limits-')

const hour = 3_600_000
const nextMidnight = () => {
  const now = new Date()
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1))
}

async function createAccount(): Promise<string> {
  return (await ok(['accounts', 'create', '--name', 'Acme'])).trim()
}

async function createKey(account: string, ...args: string[]): Promise<string> {
  return (
    await ok(['keys', 'create', '--account', account, '--out', join(workDir(), `${Math.random()}.properties`), ...args])
  ).trim()
}

async function show(id: string): Promise<KeyJson> {
  return JSON.parse(await ok(['keys', 'show', id, '--json'])) as KeyJson
}

function spend(id: string, cost: number): void {
  withStore((store) => expect(store.spendCredits(id, cost, new Date())).toMatchObject({ spent: true }))
}

describe('keys create and show with usage limits', () => {
  it('stores rate limits, credits and a refill, as show prints them', async () => {
    const account = await createAccount()
    const id = await createKey(
      account,
      '--rate-limit',
      '10/1s',
      '--rate-limit',
      '1000/60m',
      '--credits',
      '40',
      '--refill',
      '100/day',
    )
    expect(await show(id)).toMatchObject({
      rateLimits: [
        { count: 10, window: 1 },
        { count: 1000, window: 3600 },
      ],
      credits: { remaining: 40, refill: { amount: 100, interval: 'day' }, refillsAt: nextMidnight().toISOString() },
    })
    const text = await ok(['keys', 'show', id])
    expect(text).toContain('RATE LIMITS  10/1s 1000/1h\n')
    expect(text).toContain('CREDITS      40 left\n')
    expect(text).toContain(`REFILL       100/day, next at ${nextMidnight().toISOString().replace('.000Z', 'Z')}\n`)
    const row = (await ok(['keys', 'list'])).split('\n').find((line) => line.startsWith(id))
    expect(row).toContain(' 10/1s 1000/1h, 40 credits ')
  })

  it('shows a key without limits as such, and a refill alone starting full', async () => {
    const account = await createAccount()
    const plain = await createKey(account)
    expect(await show(plain)).toMatchObject({ rateLimits: [], credits: null })
    const text = await ok(['keys', 'show', plain])
    expect(text).toContain('RATE LIMITS  none\nCREDITS      not metered\nREFILL       none\n')
    const monthly = await createKey(account, '--refill', '500/month')
    expect((await show(monthly)).credits).toMatchObject({ remaining: 500, refill: { amount: 500, interval: 'month' } })
  })
})

describe('keys update with usage limits', () => {
  it('--credits keeps the refill, --refill keeps what is left, --no-refill and --no-credits remove them', async () => {
    const account = await createAccount()
    const id = await createKey(account, '--credits', '10', '--refill', '100/day')
    await ok(['keys', 'update', id, '--credits', '20'])
    expect((await show(id)).credits).toMatchObject({ remaining: 20, refill: { amount: 100, interval: 'day' } })
    spend(id, 3)
    await ok(['keys', 'update', id, '--refill', '50/month'])
    expect((await show(id)).credits).toMatchObject({ remaining: 17, refill: { amount: 50, interval: 'month' } })
    await ok(['keys', 'update', id, '--no-refill'])
    expect((await show(id)).credits).toEqual({ remaining: 17, refill: null, refillsAt: null })
    await ok(['keys', 'update', id, '--no-credits'])
    expect((await show(id)).credits).toBeNull()
    await ok(['keys', 'update', id, '--refill', '7/day'])
    expect((await show(id)).credits).toMatchObject({ remaining: 7 })
  })

  it('--rate-limit replaces all the rate limits and --no-rate-limit removes them', async () => {
    const account = await createAccount()
    const id = await createKey(account, '--rate-limit', '5/10s')
    expect(await ok(['keys', 'update', id, '--rate-limit', '100/m', '--rate-limit', '2/1s'])).toBe(`${id} updated\n`)
    expect((await show(id)).rateLimits).toEqual([
      { count: 100, window: 60 },
      { count: 2, window: 1 },
    ])
    await ok(['keys', 'update', id, '--no-rate-limit'])
    expect((await show(id)).rateLimits).toEqual([])
  })

  it('rotation copies the rate limits and shares the credits', async () => {
    const account = await createAccount()
    const old = await createKey(account, '--rate-limit', '5/10s', '--credits', '9')
    const rotated = await latchkey(['keys', 'rotate', old, '--out', join(workDir(), 'new.properties')])
    expect(rotated.status).toBe(0)
    const replacement = rotated.stdout.trim()
    expect(await show(replacement)).toMatchObject({ rateLimits: [{ count: 5, window: 10 }], credits: { remaining: 9 } })
    spend(replacement, 4)
    expect((await show(old)).credits).toMatchObject({ remaining: 5 })
  })
})

describe('accounts update with rate limits', () => {
  it('sets and removes them; accounts list and keys show print them', async () => {
    const account = await createAccount()
    const key = await createKey(account, '--rate-limit', '10/1s')
    await ok(['accounts', 'update', account, '--rate-limit', '1000/1h'])
    const [listed] = JSON.parse(await ok(['accounts', 'list', '--json'])) as { rateLimits: unknown }[]
    expect(listed?.rateLimits).toEqual([{ count: 1000, window: 3600 }])
    expect(await ok(['accounts', 'list'])).toMatch(/RATE LIMITS\n.* 1000\/1h\n$/)
    expect(await ok(['keys', 'show', key])).toContain('RATE LIMITS  10/1s; account: 1000/1h\n')
    await ok(['accounts', 'update', account, '--no-rate-limit'])
    expect(await ok(['keys', 'show', key])).toContain('RATE LIMITS  10/1s\n')
  })
})

describe('usage-limit mistakes are usage errors, exit 2, before the store is opened', () => {
  it.each([
    [
      ['--rate-limit', '10'],
      '--rate-limit: "10" is not a rate limit; use COUNT/WINDOW, e.g. 10/1s, 1000/1h or 100/m (WINDOW at most 31d).',
    ],
    [['--rate-limit', '10/32d'], '--rate-limit: "10/32d" is not a rate limit'],
    [['--rate-limit', '10/1s', '--rate-limit', '20/1s'], 'Rate limits 10/1s and 20/1s have the same window'],
    [['--credits=-1'], '--credits: "-1" is not a number of credits; use a whole number from 0 to 1000000000000.'],
    [['--credits', '1.5'], '--credits: "1.5" is not a number of credits'],
    [['--refill', '5/week'], '--refill: "5/week" is not a refill; use N/day or N/month, e.g. 1000/day'],
  ])('keys create %j', async (args, message) => {
    const stderr = await fails(['keys', 'create', '--account', 'acct_x', ...args], 2)
    expect(stderr).toContain(`latchkey: error: ${message}`)
    expect(stderr).toContain('Run "latchkey keys create --help" for usage.')
    expect(existsSync(join(workDir(), 'latchkey.db'))).toBe(false)
  })

  it.each([
    [['--rate-limit', '1/s', '--no-rate-limit'], '--rate-limit and --no-rate-limit exclude each other; give one.'],
    [['--no-credits', '--credits', '5'], '--no-credits and --credits exclude each other; give one.'],
    [['--no-credits', '--refill', '5/day'], '--no-credits and --refill exclude each other; give one.'],
    [['--refill', '5/day', '--no-refill'], '--refill and --no-refill exclude each other; give one.'],
  ])('keys update %j', async (args, message) => {
    expect(await fails(['keys', 'update', 'lk_x', ...args], 2)).toBe(
      `latchkey: error: ${message} Run "latchkey keys update --help" for usage.\n`,
    )
  })

  it('refuses nine rate limits on an account, and a bad --since', async () => {
    const nine = Array.from({ length: 9 }, (_, index) => ['--rate-limit', `1/${index + 1}s`]).flat()
    expect(await fails(['accounts', 'update', 'acct_x', ...nine], 2)).toContain('at most 8 rate limits, not 9')
    expect(await fails(['keys', 'usage', 'lk_x', '--since', '2w'], 2)).toContain(
      '--since: "2w" is not a duration; use e.g. 90s, 15m, 24h or 30d.',
    )
    expect(existsSync(join(workDir(), 'latchkey.db'))).toBe(false)
  })
})

describe('keys usage and accounts usage', () => {
  async function withUsage() {
    const account = await createAccount()
    const first = await createKey(account)
    const second = await createKey(account)
    const other = await createKey(await createAccount())
    const now = hourOf(Date.now()).getTime()
    const hours = [new Date(now - 2 * hour), new Date(now), new Date(now - 30 * hour)] as const
    withStore((store) =>
      store.recordUsage(
        [
          { keyId: first, hour: hours[0], outcome: 'served', count: 5 },
          { keyId: first, hour: hours[0], outcome: 'rate_limited', count: 2 },
          { keyId: first, hour: hours[1], outcome: 'refused', count: 1 },
          { keyId: first, hour: hours[2], outcome: 'served', count: 100 },
          { keyId: second, hour: hours[0], outcome: 'served', count: 3 },
          { keyId: second, hour: hours[1], outcome: 'credits_exhausted', count: 4 },
          { keyId: other, hour: hours[1], outcome: 'served', count: 50 },
        ],
        new Date(0),
      ),
    )
    const shown = hours.map((at) => at.toISOString().replace('.000Z', 'Z')) as [string, string, string]
    return { account, first, hours: shown }
  }

  it('keys usage prints the last 24 hours by hour and outcome, with a total', async () => {
    const { first, hours } = await withUsage()
    const lines = (await ok(['keys', 'usage', first])).trimEnd().split('\n')
    expect(lines.map((line) => line.split(/ {2,}/))).toEqual([
      ['HOUR', 'SERVED', 'RATE LIMITED', 'CREDITS EXHAUSTED', 'REFUSED'],
      [hours[0], '5', '2', '0', '0'],
      [hours[1], '0', '0', '0', '1'],
      ['TOTAL', '5', '2', '0', '1'],
    ])
    const json = JSON.parse(await ok(['keys', 'usage', first, '--since', '2d', '--json']))
    expect(json).toEqual([
      { hour: `${hours[2].slice(0, -1)}.000Z`, served: 100, rate_limited: 0, credits_exhausted: 0, refused: 0 },
      { hour: `${hours[0].slice(0, -1)}.000Z`, served: 5, rate_limited: 2, credits_exhausted: 0, refused: 0 },
      { hour: `${hours[1].slice(0, -1)}.000Z`, served: 0, rate_limited: 0, credits_exhausted: 0, refused: 1 },
    ])
  })

  it('accounts usage sums the account’s keys per hour, and no other account’s', async () => {
    const { account, hours } = await withUsage()
    expect(JSON.parse(await ok(['accounts', 'usage', account, '--json']))).toEqual([
      { hour: `${hours[0].slice(0, -1)}.000Z`, served: 8, rate_limited: 2, credits_exhausted: 0, refused: 0 },
      { hour: `${hours[1].slice(0, -1)}.000Z`, served: 0, rate_limited: 0, credits_exhausted: 4, refused: 1 },
    ])
    expect((await ok(['accounts', 'usage', account])).trimEnd().split('\n').at(-1)?.split(/ {2,}/)).toEqual([
      'TOTAL',
      '8',
      '2',
      '4',
      '1',
    ])
  })

  it('says when nothing was recorded, and refuses unknown ids with exit 1', async () => {
    const { account } = await withUsage()
    const unused = await createKey(account)
    expect(await ok(['keys', 'usage', unused])).toMatch(/^No usage recorded since \d{4}-[\d-]+T\d\d:00:00Z\.\n$/)
    expect(await fails(['keys', 'usage', 'lk_missing'], 1)).toContain('No API key has the id "lk_missing"')
    expect(await fails(['accounts', 'usage', 'acct_missing'], 1)).toContain('No account has the id "acct_missing"')
  })
})
