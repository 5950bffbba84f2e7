import { type ChildProcess, execFile, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../src/node.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const expressRoot = path.join(root, 'examples/express')
const tsx = path.join(expressRoot, 'node_modules/.bin/tsx')
const cliBin = path.join(root, 'packages/cli/dist/bin.js')

let dir: string
let databaseUrl: string
let server: ChildProcess | undefined
let url: string

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args.join(' ')}: ${stderr}${stdout}`))
      else resolve(stdout.trim())
    })
  })
}

const cli = (...args: string[]) => run(process.execPath, [cliBin, '--database', databaseUrl, ...args])

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-client-loopback-'))
  databaseUrl = `sqlite:${path.join(dir, 'db')}`
  const child = spawn(tsx, [path.join(expressRoot, 'src/server.ts')], {
    cwd: expressRoot,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LATCHKEY_DATABASE_URL: databaseUrl,
      LATCHKEY_ISSUER: 'http://127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  server = child
  url = await new Promise<string>((resolve, reject) => {
    let output = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const match = /Latchkey example API on (http:\/\/[\d.]+:\d+)/.exec(output)
      if (match?.[1]) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`The example API exited with ${code}: ${output}`)))
  })
})

afterAll(async () => {
  const child = server
  if (child && child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

async function createKeyFile(name: string): Promise<{ id: string; file: string }> {
  const accountId = await cli('accounts', 'create', '--name', name)
  const file = path.join(dir, `${name}.properties`)
  const id = await cli('keys', 'create', '--account', accountId, '--scope', 'read write', '--out', file)
  return { id, file }
}

describe('against the real Express example over loopback HTTP', () => {
  it('calls /api/test with Basic and with client credentials, the key from a CLI-written file', async () => {
    const { id, file } = await createKeyFile('loopback')
    const basic = createClient({ mode: 'basic', baseUrl: url, apiKeyFile: file })
    expect(await (await basic.fetch('/api/test')).json()).toMatchObject({ keyId: id, method: 'basic' })

    const client = createClient({ baseUrl: url, apiKeyFile: file, scope: 'read write' })
    expect(await (await client.fetch('/api/test')).json()).toMatchObject({ keyId: id, method: 'bearer' })
    const posted = await client.fetch('/api/test', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    })
    expect(posted.status).toBe(200)
    await client.close()
  })

  it('after the CLI revokes the key, surfaces invalid_client', async () => {
    const { id, file } = await createKeyFile('revoked')
    const client = createClient({ baseUrl: url, apiKeyFile: file })
    expect((await client.fetch('/api/test')).status).toBe(200)
    await cli('keys', 'revoke', id)
    await expect(client.fetch('/api/test')).rejects.toMatchObject({ code: 'ERR_OAUTH', oauthError: 'invalid_client' })
  })

  it('revokes its token over real HTTP: the API refuses it, and the client goes on with a new one', async () => {
    const { file } = await createKeyFile('revoking')
    const client = createClient({ baseUrl: url, apiKeyFile: file })
    expect((await client.fetch('/api/test')).status).toBe(200)
    const old = await client.getToken()
    await client.revoke()
    const refused = await fetch(`${url}/api/test`, { headers: { authorization: `Bearer ${old}` } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toMatch(/invalid_token/)
    expect((await client.fetch('/api/test')).status).toBe(200)
    expect(await client.getToken()).not.toBe(old)
    await client.close()
  })

  it('runs pnpm demo end to end', async () => {
    const output = await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'scripts/demo.ts')])
    expect(output).toMatch(/Basic\s+GET\s+\/api\/test → 200/)
    expect(output).toMatch(/Client credentials\s+POST \/api\/test → 200/)
    expect(output).not.toMatch(/lksecret_/)
  }, 30_000)
})
