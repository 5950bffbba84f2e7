import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// `latchkey serve` as an operator runs it: the built CLI, a real SQLite file, real HTTP on loopback.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'latchkey-serve-'))
const database = `sqlite:${join(dir, 'keys.db')}`
const env = { ...process.env, LATCHKEY_ISSUER: 'https://gateway.test', LATCHKEY_DATABASE_URL: database }
let key = { id: '', secret: '' }

beforeAll(() => {
  const cli = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' }).trim()
  const account = cli('accounts', 'create', '--name', 'Acme')
  key = JSON.parse(cli('keys', 'create', '--account', account, '--scope', 'read', '--json')) as typeof key
  writeFileSync(join(dir, 'routes.json'), '{"routes": [\n  {"path": "/admin/*", "scopes": ["admin"]}\n]}\n')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Run {
  readonly child: ChildProcess
  readonly out: () => string
  readonly err: () => string
  readonly exited: Promise<number | null>
}

function serve(args: string[], environment: NodeJS.ProcessEnv = env): Run {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { env: environment, cwd: dir })
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  void exited.then(() => clearTimeout(timer))
  return { child, out: () => out, err: () => err, exited }
}

async function listeningUrl(run: Run): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const line = run
      .out()
      .split('\n')
      .find((text) => text.includes('"listening"'))
    if (line) return (JSON.parse(line) as { url: string }).url
    if (run.child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`latchkey serve did not start:\n${run.out()}${run.err()}`)
}

describe('latchkey serve', () => {
  it('decides forward-auth requests with the route rules, and stops cleanly on SIGTERM', async () => {
    const run = serve(['--port', '0', '--config', 'routes.json'])
    try {
      const url = await listeningUrl(run)
      const ask = (uri: string) =>
        fetch(`${url}/auth/caddy`, {
          headers: {
            authorization: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`,
            'x-forwarded-method': 'GET',
            'x-forwarded-uri': uri,
          },
        })
      const allowed = await ask('/api/things')
      expect([allowed.status, allowed.headers.get('x-latchkey-key-id')]).toEqual([200, key.id])
      expect((await ask('/admin/users')).status).toBe(403)
      expect((await fetch(`${url}/.well-known/oauth-authorization-server`)).status).toBe(200)
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
        /^latchkey_decisions_total\{contract="caddy",outcome="allowed",method="basic"\} 1$/m,
      )
      expect(JSON.parse(run.out().trim().split('\n')[0] ?? '')).toMatchObject({ level: 'info', routes: 1 })
    } finally {
      run.child.kill('SIGTERM')
    }
    expect(await run.exited).toBe(0)
    expect(run.err()).not.toContain(key.secret)
    const lines = run
      .out()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { message: string; signal?: string })
    expect(lines.map((line) => line.message)).toEqual(['listening', 'stopping', 'stopped'])
    expect(lines[1]?.signal).toBe('SIGTERM')
  })

  it('serves /metrics on --metrics-port instead of the main port when given one', async () => {
    const run = serve(['--port', '0', '--metrics-port', '0'])
    try {
      const url = await listeningUrl(run)
      const line = JSON.parse(run.out().trim().split('\n')[0] ?? '') as { metrics: string }
      expect(line.metrics).not.toBe(`${url}/metrics`)
      expect((await fetch(line.metrics)).status).toBe(200)
      expect((await fetch(`${url}/metrics`)).status).toBe(404)
    } finally {
      run.child.kill('SIGTERM')
    }
    expect(await run.exited).toBe(0)
  })

  it('accepts only tokens for --audience when given one', async () => {
    const run = serve(['--port', '0', '--audience', 'https://api.example.com'])
    try {
      const url = await listeningUrl(run)
      const token = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      })
      const { access_token: accessToken } = (await token.json()) as { access_token: string }
      const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
        aud: string
      }
      expect(payload.aud).toBe('https://api.example.com')
      const decided = await fetch(`${url}/auth/traefik`, {
        headers: { authorization: `Bearer ${accessToken}`, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/api' },
      })
      expect(decided.status).toBe(200)
    } finally {
      run.child.kill('SIGTERM')
    }
    expect(await run.exited).toBe(0)
  })

  it.each([
    [[], { LATCHKEY_ISSUER: '' }, 2, /^latchkey: error: latchkey serve needs LATCHKEY_ISSUER/],
    [
      ['--port', 'http'],
      {},
      2,
      /^latchkey: error: --port must be a port number \(0 picks a free port\), a whole number from 0 to 65535\./,
    ],
    [['--config', 'missing.json'], {}, 1, /^latchkey: error: missing\.json:1: the file cannot be read \(ENOENT\)/],
  ])('refuses %j %j with one line and exit %i', async (args, overrides, code, line) => {
    const run = serve(['--port', '0', ...args], { ...env, ...overrides })
    expect(await run.exited).toBe(code)
    expect(run.err()).toMatch(line)
    expect(run.err().trim().split('\n')).toHaveLength(1)
  })

  it('publishes its revocation and introspection endpoints, and RFC 9728 metadata with --protected-resource', async () => {
    const run = serve(['--port', '0', '--protected-resource', '--access-log'])
    try {
      const url = await listeningUrl(run)
      const metadata = (await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json()) as Record<
        string,
        unknown
      >
      expect(metadata).toMatchObject({
        revocation_endpoint: 'https://gateway.test/oauth/revoke',
        introspection_endpoint: 'https://gateway.test/oauth/introspect',
      })
      const resource = await fetch(`${url}/.well-known/oauth-protected-resource`)
      expect(await resource.json()).toMatchObject({
        resource: 'https://gateway.test',
        authorization_servers: ['https://gateway.test'],
      })
      const refused = await fetch(`${url}/auth/caddy`, {
        headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/' },
      })
      expect(refused.headers.get('www-authenticate')).toContain(
        'resource_metadata="https://gateway.test/.well-known/oauth-protected-resource"',
      )
      const allowed = await fetch(`${url}/auth/caddy`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`,
          'x-forwarded-method': 'GET',
          'x-forwarded-uri': '/private?secret=query',
        },
      })
      expect(allowed.status).toBe(200)
      const decisions = run
        .out()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.message === 'decision')
      expect(decisions).toMatchObject([
        { level: 'info', contract: 'caddy', status: 401, outcome: 'refused' },
        { level: 'info', contract: 'caddy', status: 200, outcome: 'allowed', keyId: key.id, authMethod: 'basic' },
      ])
      expect(decisions[1]?.durationMs).toEqual(expect.any(Number))
      expect(run.out()).not.toContain(key.secret)
      expect(run.out()).not.toContain('secret=query')
    } finally {
      run.child.kill('SIGTERM')
    }
    expect(await run.exited).toBe(0)
  })

  it('names a routes file mistake by file and line', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"routes": [\n  {"path": "/a",\n   "scope": ["x"]}\n]}\n')
    const run = serve(['--port', '0', '--config', 'bad.json'])
    expect(await run.exited).toBe(1)
    expect(run.err()).toBe(
      'latchkey: error: bad.json:3: unknown key "scope" in a rule; the keys are "method", "path", "auth", "scopes"\n',
    )
  })

  it('exits 1 with one line when its port is taken', async () => {
    const holder: Server = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const port = (holder.address() as { port: number }).port
    try {
      const run = serve(['--port', String(port)])
      expect(await run.exited).toBe(1)
      expect(run.err()).toBe(
        `latchkey: error: port ${port} on 127.0.0.1 is in use; set --port to another port (or stop what listens there).\n`,
      )
    } finally {
      holder.close()
    }
  })
})
