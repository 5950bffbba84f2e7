import { spawn, spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  call,
  cliCreateKey,
  getTest,
  getToken,
  json,
  makeTempDir,
  removeTempDir,
  repoRoot,
  spawnServer,
  type TestKey,
} from './harness.js'

const issuer = 'http://localhost:3000'
const first = Buffer.alloc(32, 1).toString('base64')
const second = Buffer.alloc(32, 2).toString('base64')

/** Starts the example server and expects it not to start: its exit code and what it printed on stderr. */
function failedStart(
  databaseUrl: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: path.join(repoRoot, 'examples/express'),
      env: { ...withoutKeys(process.env), PORT: '0', HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: databaseUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    let stdout = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`The server did not stop by itself: ${stdout}`))
    }, 20_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stderr })
    })
  })
}

/** `latchkey ARGS` with `env`, as an operator runs it. */
function latchkey(args: readonly string[], databaseUrl: string, env: Record<string, string>) {
  const bin = path.join(repoRoot, 'packages/cli/dist/bin.js')
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...withoutKeys(process.env), LATCHKEY_DATABASE_URL: databaseUrl, ...env },
    encoding: 'utf8',
  })
}

function withoutKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.includes('KEY_ENCRYPTION_KEY')))
}

describe('The example server with signing keys encrypted at rest', () => {
  let dir: string
  let databaseUrl: string
  let key: TestKey
  let token: string

  beforeAll(async () => {
    dir = makeTempDir()
    databaseUrl = `sqlite:${dir}/latchkey.db`
    key = await cliCreateKey(databaseUrl, dir)
    const server = await spawnServer(databaseUrl, issuer, { LATCHKEY_KEY_ENCRYPTION_KEY: first })
    try {
      token = await getToken(server.url, key)
    } finally {
      await server.stop()
    }
  })

  afterAll(() => {
    if (dir) removeTempDir(dir)
  })

  it('does not start without the key-encryption key, and says why in one line', async () => {
    const { code, stderr } = await failedStart(databaseUrl, {})
    expect(code).toBe(1)
    expect(stderr).toMatch(/^latchkey: Signing key \S+ is encrypted, and no key-encryption key is configured.*\n$/)
  })

  it('does not start with another key-encryption key', async () => {
    const { code, stderr } = await failedStart(databaseUrl, { LATCHKEY_KEY_ENCRYPTION_KEY: second })
    expect(code).toBe(1)
    expect(stderr).toMatch(/^latchkey: Signing key \S+ is sealed with another key-encryption key.*\n$/)
  })

  it('keeps issued tokens valid and its one signing key across a restart with the same key', async () => {
    const server = await spawnServer(databaseUrl, issuer, { LATCHKEY_KEY_ENCRYPTION_KEY: first })
    try {
      expect((await getTest(server.url, `Bearer ${token}`)).status).toBe(200)
      expect(json(await call(server.url, '/.well-known/jwks.json')).keys).toHaveLength(1)
      expect(await getToken(server.url, key)).toEqual(expect.any(String))
    } finally {
      await server.stop()
    }
  })

  it('moves to a new key-encryption key with one CLI command', async () => {
    const resealed = latchkey(['signing-keys', 'reseal'], databaseUrl, {
      LATCHKEY_KEY_ENCRYPTION_KEY: second,
      LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEY: first,
    })
    expect({ status: resealed.status, stdout: resealed.stdout }).toEqual({
      status: 0,
      stdout: '1 signing key sealed\n',
    })
    expect((await failedStart(databaseUrl, { LATCHKEY_KEY_ENCRYPTION_KEY: first })).code).toBe(1)
    const server = await spawnServer(databaseUrl, issuer, { LATCHKEY_KEY_ENCRYPTION_KEY: second })
    try {
      expect((await getTest(server.url, `Bearer ${token}`)).status).toBe(200)
      expect(await getToken(server.url, key)).toEqual(expect.any(String))
    } finally {
      await server.stop()
    }
  })

  it('refuses a reseal that cannot open the keys, and writes nothing', () => {
    const refused = latchkey(['signing-keys', 'reseal'], databaseUrl, { LATCHKEY_KEY_ENCRYPTION_KEY: first })
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toMatch(/sealed with another key-encryption key/)
    const listed = latchkey(['signing-keys', 'list', '--json'], databaseUrl, {})
    expect(JSON.parse(listed.stdout)).toHaveLength(1)
  })
})
