import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type KeyJson, withoutNewDatabaseNote } from './in-process.js'

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

const accountIdPattern = /^acct_[A-Za-z0-9]{20}$/
const keyIdPattern = /^lk_[A-Za-z0-9]{24}$/
const secretPattern = /lksecret_[A-Za-z0-9]{49}/

interface Result {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Everything every command printed, to check no secret ever shows up where it should not. */
const transcript: Result[] = []
let root: string

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first.`)
  root = mkdtempSync(join(tmpdir(), 'latchkey-cli-'))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

/** Runs the built CLI in a real process, as a user would. */
function latchkey(args: readonly string[], options: { cwd?: string; databaseUrl?: string | null } = {}): Result {
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.LATCHKEY_DATABASE_URL
  if (options.databaseUrl !== null) env.LATCHKEY_DATABASE_URL = options.databaseUrl ?? databaseUrl
  const child = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env, encoding: 'utf8' })
  if (child.error) throw child.error
  const result = { status: child.status, stdout: child.stdout, stderr: child.stderr }
  transcript.push(result)
  return result
}

/** Runs a command that must succeed and returns its stdout; only `accounts create` may say it created a database. */
function ok(args: readonly string[], options?: Parameters<typeof latchkey>[1]): string {
  const result = latchkey(args, options)
  expect(withoutNewDatabaseNote(result.stderr)).toBe('')
  expect(result.status).toBe(0)
  return result.stdout
}

function expectOneLineError(result: Result, status: number): void {
  expect(result.status).toBe(status)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^latchkey: error: [^\n]+\n$/)
}

function listKeys(...args: string[]): KeyJson[] {
  return JSON.parse(ok(['keys', 'list', '--json', ...args])) as KeyJson[]
}

let databaseUrl: string
let work: string

beforeEach(({ task }) => {
  work = join(root, task.id)
  mkdirSync(work)
  databaseUrl = `sqlite:${join(work, 'latchkey.db')}`
})

function createAccount(name = 'Acme'): string {
  return ok(['accounts', 'create', '--name', name]).trim()
}

describe('accounts', () => {
  it('create prints only the new account id', () => {
    const stdout = ok(['accounts', 'create', '--name', 'Acme', '--email', 'ops@acme.test'])
    expect(stdout).toMatch(/^acct_[A-Za-z0-9]{20}\n$/)
    expect(stdout.trim()).toMatch(accountIdPattern)
  })

  it('list shows accounts as a table and as JSON', () => {
    const id = createAccount('Acme Corp')
    expect(ok(['accounts', 'list'])).toMatch(
      new RegExp(`^ID +NAME +EMAIL +STATUS +CREATED +RATE LIMITS\n${id} +Acme Corp +enabled +\\d{4}-`),
    )
    const [account] = JSON.parse(ok(['accounts', 'list', '--json'])) as Record<string, unknown>[]
    expect(account).toEqual({
      id,
      name: 'Acme Corp',
      email: null,
      status: 'enabled',
      createdAt: expect.any(String),
      metadata: {},
      rateLimits: [],
    })
    expect(new Date(account?.createdAt as string).toISOString()).toBe(account?.createdAt)
  })

  it('disable and enable change the status, visible in accounts list and keys list', () => {
    const id = createAccount()
    const keyId = ok(['keys', 'create', '--account', id, '--out', join(work, 'key.properties')]).trim()

    expect(ok(['accounts', 'disable', id])).toBe(`${id} disabled\n`)
    expect(JSON.parse(ok(['accounts', 'list', '--json']))).toMatchObject([{ id, status: 'disabled' }])
    expect(listKeys()).toMatchObject([{ id: keyId, status: 'enabled', accountStatus: 'disabled' }])
    expect(ok(['keys', 'list'])).toContain('enabled (account disabled)')

    expect(ok(['accounts', 'enable', id])).toBe(`${id} enabled\n`)
    expect(listKeys()).toMatchObject([{ id: keyId, status: 'enabled', accountStatus: 'enabled' }])
  })

  it('refuses to create a key for a disabled account', () => {
    const id = createAccount()
    ok(['accounts', 'disable', id])
    expectOneLineError(latchkey(['keys', 'create', '--account', id]), 1)
  })

  it('exits 1 with a one-line error for an unknown account id', () => {
    createAccount()
    for (const command of ['disable', 'enable']) {
      const result = latchkey(['accounts', command, 'acct_doesnotexist'])
      expectOneLineError(result, 1)
      expect(result.stderr).toContain('acct_doesnotexist')
    }
    expectOneLineError(latchkey(['keys', 'create', '--account', 'acct_doesnotexist']), 1)
    expectOneLineError(latchkey(['keys', 'list', '--account', 'acct_doesnotexist']), 1)
  })

  it('requires --name', () => {
    expectOneLineError(latchkey(['accounts', 'create']), 2)
  })
})

describe('keys create', () => {
  it('--out writes an apiKey.properties file with mode 0600 and prints only the key id', () => {
    const account = createAccount()
    const out = join(work, 'apiKey.properties')
    const stdout = ok(['keys', 'create', '--account', account, '--scope', 'read write', '--out', out])

    expect(stdout).toMatch(/^lk_[A-Za-z0-9]{24}\n$/)
    const id = stdout.trim()
    const text = readFileSync(out, 'utf8')
    expect(text).toMatch(new RegExp(`^apiKey\\.id = ${id}\napiKey\\.secret = lksecret_[A-Za-z0-9]{49}\n$`))
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(listKeys()).toEqual([
      {
        id,
        name: null,
        description: null,
        accountId: account,
        status: 'enabled',
        state: 'enabled',
        accountStatus: 'enabled',
        scopes: ['read', 'write'],
        metadata: {},
        rateLimits: [],
        credits: null,
        createdAt: expect.any(String),
        expiresAt: null,
        lastUsedAt: null,
        replaces: null,
        replacedBy: null,
      },
    ])
  })

  it('--out resolves a relative path against the working directory', () => {
    const account = createAccount()
    const id = ok(['keys', 'create', '--account', account, '--out', 'relative.properties'], { cwd: work }).trim()
    expect(readFileSync(join(work, 'relative.properties'), 'utf8')).toContain(`apiKey.id = ${id}\n`)
  })

  it('refuses to overwrite an existing file without --force, and creates no key', () => {
    const account = createAccount()
    const out = join(work, 'apiKey.properties')
    writeFileSync(out, 'precious\n')

    const result = latchkey(['keys', 'create', '--account', account, '--out', out])

    expectOneLineError(result, 1)
    expect(result.stderr).toContain(out)
    expect(result.stderr).toContain('--force')
    expect(readFileSync(out, 'utf8')).toBe('precious\n')
    expect(listKeys()).toEqual([])
  })

  it('replaces an existing file with --force, and makes it mode 0600', () => {
    const account = createAccount()
    const out = join(work, 'apiKey.properties')
    writeFileSync(out, 'old contents that are longer than nothing\n', { mode: 0o644 })

    const id = ok(['keys', 'create', '--account', account, '--out', out, '--force']).trim()

    expect(readFileSync(out, 'utf8')).toMatch(new RegExp(`^apiKey\\.id = ${id}\napiKey\\.secret = lksecret_\\w+\n$`))
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('keeps an existing file intact with --force when the key cannot be created', () => {
    const out = join(work, 'apiKey.properties')
    writeFileSync(out, 'precious\n')
    expectOneLineError(latchkey(['keys', 'create', '--account', 'acct_doesnotexist', '--out', out, '--force']), 1)
    expect(readFileSync(out, 'utf8')).toBe('precious\n')
  })

  it('leaves no file behind when the key cannot be created', () => {
    const out = join(work, 'apiKey.properties')
    expectOneLineError(latchkey(['keys', 'create', '--account', 'acct_doesnotexist', '--out', out]), 1)
    expect(existsSync(out)).toBe(false)
  })

  it('without --out prints the apiKey.properties text', () => {
    const account = createAccount()
    const stdout = ok(['keys', 'create', '--account', account])
    const match = /^apiKey\.id = (lk_[A-Za-z0-9]{24})\napiKey\.secret = lksecret_[A-Za-z0-9]{49}\n$/.exec(stdout)
    expect(match).not.toBeNull()
    expect(listKeys()).toMatchObject([{ id: match?.[1], scopes: [] }])
  })

  it('merges repeated --scope options', () => {
    const account = createAccount()
    ok(['keys', 'create', '--account', account, '--scope', 'read', '--scope', 'write read', '--out', join(work, 'k')])
    expect(listKeys()).toMatchObject([{ scopes: ['read', 'write'] }])
  })

  it('refuses a malformed scope before creating anything', () => {
    const account = createAccount()
    const out = join(work, 'apiKey.properties')
    const result = latchkey(['keys', 'create', '--account', account, '--scope', 'read "write"', '--out', out])
    expectOneLineError(result, 2)
    expect(existsSync(out)).toBe(false)
    expect(listKeys()).toEqual([])
  })

  it.each([
    ['inside a directory that does not exist', 'missing/apiKey.properties', [], 'ENOENT'],
    ['that is a directory', 'dir', [], 'EISDIR'],
    ['that is a directory, with --force', 'dir', ['--force'], 'EISDIR'],
  ])('exits 1 naming the path and the reason for an --out path %s, and creates no key', (_, path, flags, code) => {
    const account = createAccount()
    mkdirSync(join(work, 'dir'))
    const out = join(work, path)
    const result = latchkey(['keys', 'create', '--account', account, '--out', out, ...flags])
    expectOneLineError(result, 1)
    expect(result.stderr).toContain(out)
    expect(result.stderr).toContain(code)
    expect(listKeys()).toEqual([])
  })
})

describe('keys status', () => {
  function createKey(): { account: string; id: string } {
    const account = createAccount()
    const id = ok(['keys', 'create', '--account', account, '--out', join(work, `${Math.random()}.properties`)]).trim()
    expect(id).toMatch(keyIdPattern)
    return { account, id }
  }

  it('disable, enable and revoke change the status', () => {
    const { id } = createKey()
    expect(ok(['keys', 'disable', id])).toBe(`${id} disabled\n`)
    expect(listKeys()).toMatchObject([{ id, status: 'disabled' }])
    expect(ok(['keys', 'enable', id])).toBe(`${id} enabled\n`)
    expect(listKeys()).toMatchObject([{ id, status: 'enabled' }])
    expect(ok(['keys', 'revoke', id])).toBe(`${id} revoked\n`)
    expect(listKeys()).toMatchObject([{ id, status: 'revoked' }])
  })

  it('refuses to enable a revoked key, with exit code 1', () => {
    const { id } = createKey()
    ok(['keys', 'revoke', id])
    const result = latchkey(['keys', 'enable', id])
    expectOneLineError(result, 1)
    expect(result.stderr).toContain('revoked')
    expect(listKeys()).toMatchObject([{ id, status: 'revoked' }])
  })

  it('exits 1 with a one-line error for an unknown key id', () => {
    createAccount()
    for (const command of ['disable', 'enable', 'revoke']) {
      const result = latchkey(['keys', command, 'lk_doesnotexist'])
      expectOneLineError(result, 1)
      expect(result.stderr).toContain('lk_doesnotexist')
    }
  })

  it('lists keys of one account as an aligned table', () => {
    const first = createKey()
    createKey()
    const lines = ok(['keys', 'list', '--account', first.account]).trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^ID +NAME +ACCOUNT +STATUS +SCOPES +LIMITS +CREATED +EXPIRES +LAST USED +REPLACED BY$/)
    expect(lines[1]).toMatch(
      new RegExp(`^${first.id} +${first.account} +enabled +\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z +never +never$`),
    )
    expect(lines[1]?.indexOf(first.account)).toBe(lines[0]?.indexOf('ACCOUNT'))
  })

  it('shows when each key was last used, as servers recorded it, in the table and as JSON', () => {
    const used = createKey()
    const idle = createKey()
    const store = openSqliteKeyStore(join(work, 'latchkey.db'))
    try {
      store.touchApiKeys(new Map([[used.id, new Date('2025-03-04T05:06:07.089Z')]]))
    } finally {
      store.close()
    }
    const table = ok(['keys', 'list']).trimEnd().split('\n')
    expect(table.find((line) => line.startsWith(used.id))).toMatch(/ 2025-03-04T05:06:07Z$/)
    expect(table.find((line) => line.startsWith(idle.id))).toMatch(/ never$/)
    expect(listKeys().map((key) => [key.id, key.lastUsedAt])).toEqual([
      [used.id, '2025-03-04T05:06:07.089Z'],
      [idle.id, null],
    ])
  })

  it('never lists a secret or its hash', () => {
    const account = createAccount()
    const properties = ok(['keys', 'create', '--account', account])
    const secret = secretPattern.exec(properties)?.[0] ?? ''
    for (const args of [
      ['keys', 'list'],
      ['keys', 'list', '--json'],
      ['accounts', 'list', '--json'],
    ]) {
      const stdout = ok(args)
      expect(stdout).not.toContain(secret)
      expect(stdout).not.toMatch(/secret|hash|sha256/i)
    }
  })

  it('never shows a secret pasted where a key id belongs', () => {
    const result = latchkey(['keys', 'revoke', `lksecret_${'a'.repeat(43)}`])
    expectOneLineError(result, 1)
    expect(result.stderr).not.toContain('a'.repeat(43))
  })
})

describe('database URL', () => {
  it('defaults to sqlite:./latchkey.db in the working directory', () => {
    const id = ok(['accounts', 'create', '--name', 'Acme'], { cwd: work, databaseUrl: null }).trim()
    expect(existsSync(join(work, 'latchkey.db'))).toBe(true)
    expect(ok(['accounts', 'list', '--json'], { cwd: work, databaseUrl: null })).toContain(id)
  })

  it('accepts sqlite:relative.db, sqlite:/abs.db and sqlite:///abs.db', () => {
    const relative = ok(['accounts', 'create', '--name', 'A', '--database', 'sqlite:relative.db'], { cwd: work })
    expect(existsSync(join(work, 'relative.db'))).toBe(true)
    const absolute = join(work, 'absolute.db')
    ok(['accounts', 'create', '--name', 'B', '--database', `sqlite:${absolute}`])
    ok(['accounts', 'create', '--name', 'C', '--database', `sqlite://${absolute}`])
    expect(JSON.parse(ok(['accounts', 'list', '--json', '--database', `sqlite:${absolute}`]))).toHaveLength(2)
    expect(ok(['accounts', 'list', '--json'], { cwd: work, databaseUrl: 'sqlite:relative.db' })).toContain(
      relative.trim(),
    )
  })

  it('takes --database before the command too, over LATCHKEY_DATABASE_URL', () => {
    const other = join(work, 'other.db')
    const id = ok(['--database', `sqlite:${other}`, 'accounts', 'create', '--name', 'Acme']).trim()
    expect(ok(['accounts', 'list', '--json', `--database=sqlite:${other}`])).toContain(id)
    expect(existsSync(join(work, 'latchkey.db'))).toBe(false)
  })

  it.each([['file:./latchkey.db'], ['latchkey.db'], ['sqlite://relative.db'], ['mysql://db/keys']])(
    'refuses %s with a clear error',
    (url) => {
      const result = latchkey(['accounts', 'list', '--database', url])
      expectOneLineError(result, 2)
      expect(result.stderr).toMatch(/^latchkey: error: Invalid database URL "[^"]+": [^\n]*sqlite:[^\n]+\.\n$/)
      expect(result.stderr).not.toContain('?.')
    },
  )

  it('reports a Postgres server it cannot reach, without showing its password', () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const result = latchkey(['accounts', 'list'], { databaseUrl: 'postgres://admin:hunter2@127.0.0.1:1/latchkey' })
    expectOneLineError(result, 1)
    expect(result.stderr).toContain('Cannot open the Postgres key store')
    expect(result.stderr).toContain('postgres://***@127.0.0.1:1/latchkey')
    expect(result.stderr).not.toContain('hunter2')
  })

  it('exits 1 when the database directory does not exist', () => {
    const result = latchkey(['accounts', 'list', '--database', `sqlite:${join(work, 'missing', 'latchkey.db')}`])
    expectOneLineError(result, 1)
  })
})

describe('usage', () => {
  it.each([[['--help']], [['help']], [['-h']], [['keys', '--help']], [['help', 'keys', 'create']]])(
    'latchkey %s prints usage on stdout and exits 0',
    (args) => {
      const result = latchkey(args)
      expect(result).toMatchObject({ status: 0, stderr: '' })
      expect(result.stdout).toMatch(/^Usage: latchkey/)
    },
  )

  it('prints each command usage with --help, without touching the database', () => {
    const result = latchkey(['keys', 'create', '--help'], { databaseUrl: 'bogus' })
    expect(result).toMatchObject({ status: 0, stderr: '' })
    expect(result.stdout).toContain('--force')
  })

  it('prints usage on stderr and exits 2 without arguments', () => {
    const result = latchkey([])
    expect(result.status).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^Usage: latchkey/)
  })

  it.each([
    [['frobnicate'], 'latchkey --help'],
    [['keys', 'frobnicate'], 'latchkey keys --help'],
    [['--frobnicate'], 'latchkey --help'],
    [['keys', 'list', '--frobnicate'], 'latchkey keys list --help'],
    [['keys', 'revoke'], 'latchkey keys revoke --help'],
  ])('latchkey %s exits 2 with one line pointing to %s', (args, hint) => {
    const result = latchkey(args)
    expectOneLineError(result, 2)
    expect(result.stderr).toContain(hint)
  })

  it('prints the version', () => {
    expect(ok(['--version'])).toMatch(/^\d+\.\d+\.\d+\S*\n$/)
  })
})

describe('secrets', () => {
  // Runs last: it reads what every test before it printed.
  it('never show up in any output but the apiKey.properties text they are handed out in', () => {
    const handedOut = transcript.filter(({ stdout }) => stdout.startsWith('apiKey.id = '))
    expect(handedOut.length).toBeGreaterThan(0)
    for (const { stdout, stderr } of transcript) {
      expect(stderr).not.toMatch(secretPattern)
      if (!stdout.startsWith('apiKey.id = ')) expect(stdout).not.toMatch(secretPattern)
    }
  })
})
