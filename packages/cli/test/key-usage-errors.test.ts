import { describe, expect, it } from 'vitest'
import { inProcessCli } from './in-process.js'

const { ok, latchkey, fails } = inProcessCli('latchkey-usage-')

/** Runs a command that must be refused as a usage error (exit 2) with `message`, pointing to its help. */
async function usageError(args: readonly string[], message: string, options?: { stdin?: string }): Promise<void> {
  const stderr = await fails(args, 2, options)
  expect(stderr).toBe(`latchkey: error: ${message} Run "latchkey ${args.slice(0, 2).join(' ')} --help" for usage.\n`)
}

describe('usage errors, exit 2, naming the flag', () => {
  it.each([
    [['--expires-in', '2x'], '--expires-in: "2x" is not a duration; use e.g. 90s, 15m, 24h or 30d.'],
    [['--expires-in', '0s'], '--expires-in: "0s" is not a duration; use e.g. 90s, 15m, 24h or 30d.'],
    [['--expires-in', '1.5h'], '--expires-in: "1.5h" is not a duration; use e.g. 90s, 15m, 24h or 30d.'],
    [['--expires-in', '36501d'], '--expires-in: "36501d" is too long; at most 36500d.'],
    [
      ['--expires-at', 'tomorrow'],
      '--expires-at: "tomorrow" is not an ISO 8601 instant; use e.g. 2030-01-31 (midnight UTC) or 2030-01-31T09:00:00Z.',
    ],
    [
      ['--expires-at', '2099-02-30'],
      '--expires-at: "2099-02-30" is not an ISO 8601 instant; use e.g. 2030-01-31 (midnight UTC) or 2030-01-31T09:00:00Z.',
    ],
    [
      ['--expires-at', '2099-01-31T09:00:00'],
      '--expires-at: "2099-01-31T09:00:00" is not an ISO 8601 instant; use e.g. 2030-01-31 (midnight UTC) or 2030-01-31T09:00:00Z.',
    ],
    [
      ['--expires-at', '2020-01-01'],
      '--expires-at: 2020-01-01T00:00:00.000Z is not in the future; to stop a key now, disable or revoke it.',
    ],
    [
      ['--expires-in', '1h', '--expires-at', '2099-01-01'],
      '--expires-in and --expires-at exclude each other; give one.',
    ],
    [['--meta', 'plan'], '--meta takes KEY=VALUE, as in --meta plan=pro; it has no "=".'],
    [['--meta', '=pro'], '--meta takes KEY=VALUE, as in --meta plan=pro; its KEY is empty.'],
    [
      ['--scope', 'read "write"'],
      '"\\"write\\"" is not a valid scope: use printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3).',
    ],
    [['--force'], '--force applies only with --out.'],
  ])('keys create %j', async (args, message) => {
    const account = (await ok(['accounts', 'create', '--name', 'Acme'])).trim()
    await usageError(['keys', 'create', '--account', account, ...args], message)
    expect(await ok(['keys', 'list', '--json'])).toBe('[]\n')
  })

  it.each([
    [
      [],
      'Give at least one change: --name, --description, --scope, an expiry, --meta, --unset-meta, a rate limit or credits.',
    ],
    [['--no-expiry', '--expires-in', '1h'], '--expires-in and --no-expiry exclude each other; give one.'],
    [['--expires-at', '2099-01-01', '--no-expiry'], '--expires-at and --no-expiry exclude each other; give one.'],
    [['--meta', 'a=1', '--unset-meta', 'a'], '--meta and --unset-meta both name "a"; choose one.'],
    [['--unset-meta', ''], '--unset-meta takes a KEY; it is empty.'],
    [['--meta', 'nothing'], '--meta takes KEY=VALUE, as in --meta plan=pro; it has no "=".'],
    [['--expires-in', 'soon'], '--expires-in: "soon" is not a duration; use e.g. 90s, 15m, 24h or 30d.'],
  ])('keys update KEY_ID %j', async (args, message) => {
    await usageError(['keys', 'update', 'lk_any', ...args], message)
  })

  it.each([
    [['--overlap', '2x'], '--overlap: "2x" is not a duration; use e.g. 90s, 15m, 24h or 30d, or 0s for none.'],
    [['--overlap', '366d'], '--overlap: "366d" is too long; at most 365d.'],
    [['--force'], '--force applies only with --out.'],
  ])('keys rotate KEY_ID %j', async (args, message) => {
    await usageError(['keys', 'rotate', 'lk_any', ...args], message)
  })

  it('keys list --expiring-within takes a duration', async () => {
    await usageError(
      ['keys', 'list', '--expiring-within', '0s'],
      '--expiring-within: "0s" is not a duration; use e.g. 90s, 15m, 24h or 30d.',
    )
  })

  it.each([
    [['--from', 'f'], '--account is required.'],
    [['--account', 'a'], 'Give --from FILE, or --id with --secret-stdin or --secret-hash.'],
    [['--account', 'a', '--from', 'f', '--id', 'k'], '--from reads the id and secret; it excludes --id.'],
    [
      ['--account', 'a', '--from', 'f', '--secret-stdin', '--secret-hash', 'h'],
      '--from reads the id and secret; it excludes --secret-stdin and --secret-hash.',
    ],
    [['--account', 'a', '--id', 'k'], '--id takes exactly one of --secret-stdin and --secret-hash.'],
    [
      ['--account', 'a', '--id', 'k', '--secret-stdin', '--secret-hash', 'h'],
      '--id takes exactly one of --secret-stdin and --secret-hash.',
    ],
    [
      ['--account', 'a', '--id', 'k', '--secret-hash', 'h', '--expires-in', '5'],
      '--expires-in: "5" is not a duration; use e.g. 90s, 15m, 24h or 30d.',
    ],
  ])('keys import %j', async (args, message) => {
    await usageError(['keys', 'import', ...args], message)
  })

  it.each([
    [
      'two lines',
      'first-line\nsecond-line\n',
      '--secret-stdin: standard input holds more than one line; pipe the secret alone, on one line.',
    ],
    ['nothing', '', '--secret-stdin: standard input is empty; pipe the secret in.'],
    ['an empty line', '\r\n', '--secret-stdin: standard input is empty; pipe the secret in.'],
  ])('keys import --secret-stdin refuses %s, never echoing it', async (_, stdin, message) => {
    const account = (await ok(['accounts', 'create', '--name', 'Acme'])).trim()
    await usageError(['keys', 'import', '--account', account, '--id', 'k', '--secret-stdin'], message, { stdin })
  })

  it('keys import --secret-stdin without a standard input says so', async () => {
    const result = await latchkey(['keys', 'import', '--account', 'a', '--id', 'k', '--secret-stdin'])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--secret-stdin needs a standard input')
  })

  it('accounts update needs a change; accounts create --meta takes KEY=VALUE', async () => {
    await usageError(
      ['accounts', 'update', 'acct_any'],
      'Give at least one change: --name, --email, --meta, --unset-meta, --rate-limit or --no-rate-limit.',
    )
    await usageError(
      ['accounts', 'create', '--name', 'A', '--meta', 'x'],
      '--meta takes KEY=VALUE, as in --meta plan=pro; it has no "=".',
    )
  })

  it.each([['show'], ['update'], ['rotate']])('keys %s needs a KEY_ID', async (command) => {
    await usageError(['keys', command], `latchkey keys ${command} needs KEY_ID.`)
  })
})

describe('help', () => {
  it('lists every form of keys and accounts in their group usage and the top-level usage', async () => {
    const keys = await ok(['keys', '--help'])
    for (const form of [
      'create --account ACCOUNT_ID [--name NAME] [--description TEXT] [--scope "SCOPE ..."]',
      '[--expires-in DURATION | --expires-at ISO8601] [--meta KEY=VALUE]...',
      '[--rate-limit COUNT/WINDOW]... [--credits N] [--refill N/day|N/month] [--out FILE [--force]] [--json]',
      'import --account ACCOUNT_ID (--from FILE | --id KEY_ID (--secret-stdin | --secret-hash HASH))',
      'update KEY_ID [--name NAME] [--description TEXT] [--scope "SCOPE ..."]',
      '[--expires-in DURATION | --expires-at ISO8601 | --no-expiry] [--meta KEY=VALUE]... [--unset-meta KEY]...',
      'rotate KEY_ID [--overlap DURATION] [--out FILE [--force]]',
      'list [--account ACCOUNT_ID] [--expiring-within DURATION] [--json]',
      'show KEY_ID [--json]',
      '[--rate-limit COUNT/WINDOW... | --no-rate-limit] [--credits N] [--refill N/day|N/month | --no-refill]',
      'usage KEY_ID [--since DURATION] [--json]',
    ]) {
      expect(keys).toContain(form)
    }
    const accounts = await ok(['accounts', '--help'])
    expect(accounts).toContain('create --name NAME [--email EMAIL] [--meta KEY=VALUE]...')
    expect(accounts).toContain(
      'update ACCOUNT_ID [--name NAME] [--email EMAIL] [--meta KEY=VALUE]... [--unset-meta KEY]...',
    )
    expect(accounts).toContain('[--rate-limit COUNT/WINDOW... | --no-rate-limit]')
    expect(accounts).toContain('usage ACCOUNT_ID [--since DURATION] [--json]')
    const top = await ok(['--help'])
    for (const command of [
      'keys import',
      'keys update',
      'keys rotate',
      'keys show',
      'keys usage',
      'accounts update',
      'accounts usage',
    ]) {
      expect(top).toContain(`  ${command} `)
    }
  })

  it.each([['create'], ['import'], ['update'], ['rotate'], ['list'], ['show'], ['usage']])(
    'keys %s --help shows its options without touching the database',
    async (command) => {
      const result = await latchkey(['keys', command, '--help', '--database', 'bogus'])
      expect(result).toMatchObject({ status: 0, stderr: '' })
      expect(result.stdout).toMatch(new RegExp(`^Usage: latchkey keys ${command} `))
    },
  )
})
