import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inProcessCli } from './in-process.js'

const { ok, latchkey, fails, workDir } = inProcessCli('latchkey-missing-db-')

describe('a database file that does not exist', () => {
  it.each([
    [['accounts', 'list']],
    [['accounts', 'update', 'acct_a', '--name', 'B']],
    [['accounts', 'disable', 'acct_a']],
    [['accounts', 'enable', 'acct_a']],
    [['keys', 'list']],
    [['keys', 'show', 'lk_a']],
    [['keys', 'update', 'lk_a', '--name', 'b']],
    [['keys', 'rotate', 'lk_a']],
    [['keys', 'disable', 'lk_a']],
    [['keys', 'enable', 'lk_a']],
    [['keys', 'revoke', 'lk_a']],
    // A new database holds no account to own a key.
    [['keys', 'create', '--account', 'acct_a']],
    [['keys', 'import', '--account', 'acct_a', '--id', 'k', '--secret-hash', `sha256:${'A'.repeat(43)}`]],
    [['signing-keys', 'list']],
    [['signing-keys', 'rotate']],
    [['signing-keys', 'reseal', '--decrypt']],
  ])('is refused by latchkey %j, naming the path and how to create one, and not created', async (args) => {
    const path = join(workDir(), 'latchkey.db')
    expect(await fails(args, 1)).toBe(
      `latchkey: error: No database at ${path}: create one with "latchkey accounts create --name NAME", or check --database and LATCHKEY_DATABASE_URL.\n`,
    )
    expect(existsSync(path)).toBe(false)
  })

  it('is resolved against the working directory in the message, as the store would have been', async () => {
    const stderr = await fails(['keys', 'list', '--database', 'sqlite:typo.db'], 1)
    expect(stderr).toContain(`No database at ${join(workDir(), 'typo.db')}:`)
    expect(existsSync(join(workDir(), 'typo.db'))).toBe(false)
  })

  it('is created by accounts create, which says so in one line on stderr, and only the first time', async () => {
    const path = join(workDir(), 'latchkey.db')
    const first = await latchkey(['accounts', 'create', '--name', 'Acme'])
    expect(first).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/^acct_\w+\n$/),
      stderr: `latchkey: created a new database at ${path}\n`,
    })
    expect(existsSync(path)).toBe(true)
    expect(await latchkey(['accounts', 'create', '--name', 'Other'])).toMatchObject({ status: 0, stderr: '' })
    expect(JSON.parse(await ok(['accounts', 'list', '--json']))).toHaveLength(2)
  })
})
