import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
let root: string
let databaseUrl: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'latchkey-cli-signing-'))
  databaseUrl = `sqlite:${join(root, 'latchkey.db')}`
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

function latchkey(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, LATCHKEY_DATABASE_URL: databaseUrl }
  const child = spawnSync(process.execPath, [bin, ...args], { cwd: root, env, encoding: 'utf8' })
  return { status: child.status, stdout: child.stdout, stderr: child.stderr }
}

interface ListedSigningKey {
  kid: string
  alg: string
  state: string
  createdAt: string
  activatesAt: string
  expiresAt: string | null
}

function list(): ListedSigningKey[] {
  const result = latchkey('signing-keys', 'list', '--json')
  expect(result).toMatchObject({ status: 0, stderr: '' })
  return JSON.parse(result.stdout) as ListedSigningKey[]
}

describe('latchkey signing-keys on SQLite', () => {
  it('refuses a database that does not exist, and creates none', () => {
    for (const command of ['list', 'rotate']) {
      const result = latchkey('signing-keys', command)
      expect(result).toMatchObject({ status: 1, stdout: '' })
      expect(result.stderr).toBe(
        `latchkey: error: No database at ${join(root, 'latchkey.db')}: create one with "latchkey accounts create --name NAME", or check --database and LATCHKEY_DATABASE_URL.\n`,
      )
    }
    expect(existsSync(join(root, 'latchkey.db'))).toBe(false)
    expect(latchkey('accounts', 'create', '--name', 'Acme')).toMatchObject({
      status: 0,
      stderr: `latchkey: created a new database at ${join(root, 'latchkey.db')}\n`,
    })
  })

  it('says how the first key comes when there is none', () => {
    expect(latchkey('signing-keys', 'list')).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/^No signing keys yet/),
    })
  })

  it('adds a pending key and retires the active one after activation, token lifetime and tolerance', () => {
    expect(latchkey('signing-keys', 'rotate', '--activate-in', '0').status).toBe(0)
    const [first] = list()
    expect(first).toMatchObject({ state: 'active', alg: 'EdDSA', expiresAt: null })

    const rotated = latchkey('signing-keys', 'rotate', '--activate-in', '300', '--token-lifetime', '600', '--json')
    expect(rotated).toMatchObject({ status: 0, stderr: '' })
    const { added, retired } = JSON.parse(rotated.stdout) as { added: ListedSigningKey; retired: ListedSigningKey[] }
    expect(added.state).toBe('pending')
    expect(retired.map((key) => key.kid)).toEqual([first?.kid])
    const expected = Date.parse(added.activatesAt) + (600 + 60) * 1000
    expect(Date.parse(retired[0]?.expiresAt ?? '')).toBe(expected)
    expect(list().map((key) => key.state)).toEqual(['active', 'pending'])
  })

  it('lists state and age in a table, and never a private key', () => {
    const table = latchkey('signing-keys', 'list')
    expect(table.status).toBe(0)
    expect(table.stdout.split('\n')[0]).toMatch(/^KID\s+ALG\s+STATE\s+AGE\s+ACTIVATES\s+EXPIRES$/)
    expect(table.stdout).toMatch(/\bactive\s+\d+s\b/)
    expect(table.stdout).toMatch(/\bpending\b/)
    const json = latchkey('signing-keys', 'list', '--json').stdout
    expect(json).not.toMatch(/"d"|privateJwk/)
  })

  it.each([[['--activate-in', 'soon']], [['--token-lifetime', '-1']], [['--algorithm', 'HS256']]])(
    'refuses rotate %s with a usage error, adding no key',
    (args) => {
      const before = list().length
      const result = latchkey('signing-keys', 'rotate', ...args)
      expect(result.status).toBe(2)
      expect(result.stderr).toMatch(/^latchkey: error: [^\n]+\n$/)
      expect(list()).toHaveLength(before)
    },
  )
})
