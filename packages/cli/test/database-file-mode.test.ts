import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createKeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type DatabaseFileWarning, openKeyStore, run } from '../src/index.js'

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

interface Result {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

let root: string
let filename: string

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first.`)
  root = mkdtempSync(join(tmpdir(), 'latchkey-cli-mode-'))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

beforeEach(({ task }) => {
  filename = join(root, `${task.id}.db`)
})

/** Runs the built CLI in a real process under umask 000, the most permissive one. */
function latchkey(args: readonly string[]): Result {
  const env: NodeJS.ProcessEnv = { ...process.env, LATCHKEY_DATABASE_URL: `sqlite:${filename}` }
  const child = spawnSync('sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, bin, ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
  })
  if (child.error) throw child.error
  return { status: child.status, stdout: child.stdout, stderr: child.stderr }
}

function modeOf(file: string): string {
  return (statSync(file).mode & 0o777).toString(8)
}

/** Creates the database, as only `accounts create` does, and an account in it. */
function createAccount(): string {
  const result = latchkey(['accounts', 'create', '--name', 'Acme'])
  expect(result).toMatchObject({ status: 0, stderr: `latchkey: created a new database at ${filename}\n` })
  return result.stdout.trim()
}

// The database holds the private signing keys: anyone who can read it can mint tokens.
describe.skipIf(process.platform === 'win32')('the database file mode', () => {
  it('creates the database readable by its owner only, even under umask 000, and its -wal and -shm files follow', async () => {
    createAccount()
    expect(modeOf(filename)).toBe('600')

    // SQLite gives -wal and -shm the database's own bits: a write under umask 000 must not widen them.
    const umask = process.umask(0o000)
    const store = await openKeyStore(`sqlite:${filename}`, { onWarning: () => {} })
    try {
      await createKeyManager(store).createAccount({ name: 'Second' })
      expect([modeOf(`${filename}-wal`), modeOf(`${filename}-shm`)]).toEqual(['600', '600'])
    } finally {
      await store.close()
      process.umask(umask)
    }
  })

  it('warns once on stderr, not stdout, about a database open to group or others, and still runs the command', () => {
    const accountId = createAccount()
    chmodSync(filename, 0o644)

    const list = latchkey(['accounts', 'list', '--json'])
    expect(list.status).toBe(0)
    expect((JSON.parse(list.stdout) as { id: string }[]).map((account) => account.id)).toEqual([accountId])
    expect(list.stderr).toMatch(/^latchkey: warning: [^\n]+\n$/)
    expect(list.stderr).toContain(filename)
    expect(list.stderr).toContain('mode 644')
    expect(list.stderr).toContain(`chmod 600 ${filename}`)

    const create = latchkey(['accounts', 'create', '--name', 'Other'])
    expect(create.status).toBe(0)
    expect(create.stdout).toMatch(/^acct_[A-Za-z0-9]{20}\n$/)
    expect(create.stderr).toMatch(/^latchkey: warning: [^\n]+\n$/)
  })

  it('prints no warning for a database readable by its owner only', () => {
    createAccount()
    const list = latchkey(['accounts', 'list', '--json'])
    expect(list).toMatchObject({ status: 0, stderr: '' })
  })

  it('writes the warning to the stderr it is given when run in-process', async () => {
    createAccount()
    chmodSync(filename, 0o640)
    const stdout: string[] = []
    const stderr: string[] = []
    const io = {
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text) },
      env: { LATCHKEY_DATABASE_URL: `sqlite:${filename}` },
      cwd: root,
    }
    expect(await run(['accounts', 'list'], io)).toBe(0)
    expect(stderr).toHaveLength(1)
    expect(stderr[0]).toMatch(/^latchkey: warning: [^\n]+ \(mode 640\)[^\n]+\n$/)
    expect(stdout.join('')).not.toContain('warning')
  })

  it('hands openKeyStore callers the warning with its code and path', async () => {
    createAccount()
    chmodSync(filename, 0o604)
    const warnings: DatabaseFileWarning[] = []
    const store = await openKeyStore(`sqlite:${filename}`, { onWarning: (warning) => warnings.push(warning) })
    await store.close()
    expect(warnings).toEqual([
      {
        code: 'LATCHKEY_DATABASE_FILE_PERMISSIONS',
        path: filename,
        mode: 0o604,
        message: expect.stringContaining(`chmod 600 ${filename}`),
      },
    ])
  })
})
