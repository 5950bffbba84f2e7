import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inProcessCli } from './in-process.js'

const { ok, fails, workDir } = inProcessCli('latchkey-mistakes-')

/** Runs a command that must be refused as a usage error (exit 2) with exactly `message` and the hint to `help`. */
async function usageError(args: readonly string[], message: string, help: string): Promise<void> {
  const stderr = await fails(args, 2)
  expect(stderr).toBe(`latchkey: error: ${message} Run "${help} --help" for usage.\n`)
}

describe("options and arguments parseArgs refuses are usage errors in the CLI's words, exit 2", () => {
  it.each([
    [['keys', 'create', '--account'], '--account needs a value.', 'latchkey keys create'],
    [
      ['keys', 'create', '--account', '--name', 'ci'],
      '--account needs a value; for one that starts with "-", write --account=VALUE.',
      'latchkey keys create',
    ],
    [['keys', 'list', '--account'], '--account needs a value.', 'latchkey keys list'],
    [['accounts', 'create', '--name'], '--name needs a value.', 'latchkey accounts create'],
    [['signing-keys', 'rotate', '--activate-in'], '--activate-in needs a value.', 'latchkey signing-keys rotate'],
    [['keys', 'list', '--frobnicate'], 'Unknown option --frobnicate.', 'latchkey keys list'],
    [['keys', 'list', '-x'], 'Unknown option -x.', 'latchkey keys list'],
    [['accounts', 'disable', 'acct_a', '--json'], 'Unknown option --json.', 'latchkey accounts disable'],
    [['keys', 'list', '--json=yes'], '--json takes no value.', 'latchkey keys list'],
    [
      ['keys', 'list', 'extra'],
      'Unexpected argument "extra": latchkey keys list takes no arguments.',
      'latchkey keys list',
    ],
    [
      ['keys', 'revoke', 'lk_a', 'lk_b'],
      'Unexpected argument "lk_b": latchkey keys revoke takes only KEY_ID.',
      'latchkey keys revoke',
    ],
    [['keys', 'revoke'], 'latchkey keys revoke needs KEY_ID.', 'latchkey keys revoke'],
    [['--database'], '--database needs a value.', 'latchkey'],
    [['--database', '--help', 'keys', 'list'], '--database needs a value.', 'latchkey'],
    [['--frobnicate', 'keys', 'list'], 'Unknown option --frobnicate.', 'latchkey'],
    [['keys', '--json'], 'latchkey keys needs a command before its options.', 'latchkey keys'],
    [['keys', 'frobnicate'], 'latchkey keys has no command "frobnicate".', 'latchkey keys'],
  ])('latchkey %j', async (args, message, help) => {
    await usageError(args, message, help)
    expect(existsSync(join(workDir(), 'latchkey.db'))).toBe(false)
  })

  it('never repeats the value of an unknown option or a surplus argument that may be a secret', async () => {
    const secret = `lksecret_${'a'.repeat(49)}`
    const unknown = await fails(['keys', 'list', `--secret=${secret}`], 2)
    expect(unknown).toContain('Unknown option --secret.')
    const surplus = await fails(['keys', 'list', `${secret}\t`], 2)
    expect(surplus).toContain('Unexpected argument: latchkey keys list takes no arguments.')
    for (const stderr of [unknown, surplus]) expect(stderr).not.toContain('a'.repeat(49))
  })

  it('shows the help when --help is given beside a mistake', async () => {
    const stdout = await ok(['keys', 'create', '--frobnicate', '--help'])
    expect(stdout).toMatch(/^Usage: latchkey keys create /)
  })
})

describe('latchkey help shows what --help shows', () => {
  it.each([
    [['help'], ['--help']],
    [
      ['help', 'keys'],
      ['keys', '--help'],
    ],
    [
      ['help', 'keys', '--help'],
      ['keys', '--help'],
    ],
    [
      ['help', 'keys', 'create'],
      ['keys', 'create', '--help'],
    ],
    [
      ['help', 'keys', 'create', '--help'],
      ['keys', 'create', '--help'],
    ],
    [
      ['help', 'signing-keys', 'rotate'],
      ['signing-keys', 'rotate', '--help'],
    ],
    [
      ['help', 'accounts', 'create', '-h'],
      ['accounts', 'create', '-h'],
    ],
  ])('latchkey %j is latchkey %j', async (help, flag) => {
    const text = await ok(help)
    expect(text).toMatch(/^Usage: latchkey/)
    expect(text).toBe(await ok(flag))
  })

  it.each([
    [['help', 'frobnicate'], 'Unknown command "frobnicate".', 'latchkey'],
    [['help', 'keys', 'frobnicate'], 'latchkey keys has no command "frobnicate".', 'latchkey keys'],
  ])('latchkey %j is a usage error, as the command itself would be', async (args, message, help) => {
    await usageError(args, message, help)
  })
})

describe('arguments the key manager refuses are usage errors, found before the store is opened', () => {
  it.each([
    [['accounts', 'create', '--name', '']],
    [['accounts', 'create', '--name', '   ']],
    [['accounts', 'create', '--name', 'x'.repeat(201)]],
    [['accounts', 'create', '--name', 'tab\there']],
  ])('latchkey %j exits 2 and creates no database', async (args) => {
    const stderr = await fails(args, 2)
    expect(stderr).toBe(
      'latchkey: error: An account name must have 1 to 200 characters and no control characters. Run "latchkey accounts create --help" for usage.\n',
    )
    expect(existsSync(join(workDir(), 'latchkey.db'))).toBe(false)
  })

  it('refuses a key name, description or metadata out of bounds in keys create, keys update and accounts update', async () => {
    const account = (await ok(['accounts', 'create', '--name', 'Acme'])).trim()
    const key = (await ok(['keys', 'create', '--account', account, '--out', 'k.properties'])).trim()
    const big = `big=${'x'.repeat(5000)}`
    for (const [args, message] of [
      [['keys', 'create', '--account', account, '--name', 'x'.repeat(101)], 'at most 100'],
      [['keys', 'create', '--account', account, '--description', 'two\nlines'], 'control characters'],
      [['keys', 'create', '--account', account, '--meta', big], 'at most 4,096'],
      [['keys', 'update', key, '--description', 'x'.repeat(1001)], 'at most 1,000'],
      [['keys', 'update', key, '--meta', big], 'at most 4,096'],
      [['accounts', 'update', account, '--name', ''], 'An account name must have'],
      [['accounts', 'update', account, '--meta', big], 'at most 4,096'],
    ] as const) {
      expect(await fails(args, 2)).toContain(message)
    }
    expect(JSON.parse(await ok(['keys', 'list', '--json']))).toHaveLength(1)
  })
})
