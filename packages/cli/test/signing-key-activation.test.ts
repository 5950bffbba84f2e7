import { describe, expect, it } from 'vitest'
import { inProcessCli } from './in-process.js'

const { ok, fails } = inProcessCli('latchkey-activation-')

interface Rotation {
  added: { kid: string; state: string; activatesAt: string }
  retired: { kid: string }[]
}

/** A store with an account (so the database exists) and, unless `empty`, an active signing key. */
async function store({ empty = false } = {}): Promise<void> {
  await ok(['accounts', 'create', '--name', 'Acme'])
  if (!empty) await ok(['signing-keys', 'rotate', '--activate-in', '0'])
}

async function rotate(...args: string[]): Promise<Rotation> {
  return JSON.parse(await ok(['signing-keys', 'rotate', '--json', ...args])) as Rotation
}

async function signingKeyCount(): Promise<number> {
  return (JSON.parse(await ok(['signing-keys', 'list', '--json'])) as unknown[]).length
}

function secondsFromNow(iso: string): number {
  return (Date.parse(iso) - Date.now()) / 1000
}

describe('signing-keys rotate --activate-in on SQLite, whose servers re-read signing keys every 60 s', () => {
  it.each([['5'], ['0'], ['60']])(
    'refuses --activate-in %s while a key is in use, naming the flag and the minimum (exit 2)',
    async (activateIn) => {
      await store()
      expect(await fails(['signing-keys', 'rotate', '--activate-in', activateIn], 2)).toBe(
        'latchkey: error: --activate-in must be at least 61 seconds with SQLite, whose servers re-read signing keys every 60 s; if yours re-read sooner, give their interval with --refresh-interval. Run "latchkey signing-keys rotate --help" for usage.\n',
      )
      expect(await signingKeyCount()).toBe(1)
    },
  )

  it('accepts 61 seconds, and defaults to 120', async () => {
    await store()
    expect(secondsFromNow((await rotate('--activate-in', '61')).added.activatesAt)).toBeCloseTo(61, -1)
    expect(secondsFromNow((await rotate()).added.activatesAt)).toBeCloseTo(120, -1)
  })

  it("takes the servers' interval from --refresh-interval: a shorter one lets a shorter delay through", async () => {
    await store()
    const rotation = await rotate('--refresh-interval', '2', '--activate-in', '5')
    expect(rotation.added.state).toBe('pending')
    expect(secondsFromNow(rotation.added.activatesAt)).toBeCloseTo(5, -1)
    expect(rotation.retired).toHaveLength(1)
  })

  it('takes a longer --refresh-interval as the bound too, and defaults --activate-in to twice it', async () => {
    await store()
    expect(await fails(['signing-keys', 'rotate', '--refresh-interval', '300', '--activate-in', '120'], 2)).toContain(
      '--activate-in must be at least 301 seconds with SQLite, whose servers re-read signing keys every 300 s;',
    )
    expect(secondsFromNow((await rotate('--refresh-interval', '300')).added.activatesAt)).toBeCloseTo(600, -1)
  })

  it('accepts any delay for the first key of a store: no server signs with an older one', async () => {
    await store({ empty: true })
    const rotation = await rotate('--activate-in', '0')
    expect(rotation).toMatchObject({ added: { state: 'active' }, retired: [] })
  })

  it.each([
    [['--token-lifetime', '86401'], '--token-lifetime takes at most 86400 seconds.'],
    [['--activate-in', '2592001'], '--activate-in takes at most 2592000 seconds.'],
    [['--refresh-interval', '86401'], '--refresh-interval takes at most 86400 seconds.'],
    [['--refresh-interval', 'soon'], '--refresh-interval takes a whole number of seconds.'],
  ])('refuses %j before touching the store (exit 2)', async (args, message) => {
    await store()
    expect(await fails(['signing-keys', 'rotate', ...args], 2)).toBe(
      `latchkey: error: ${message} Run "latchkey signing-keys rotate --help" for usage.\n`,
    )
    expect(await signingKeyCount()).toBe(1)
  })
})
