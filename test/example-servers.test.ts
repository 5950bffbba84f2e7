import { type ChildProcess, execFile, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { createRequire } from 'node:module'
import { type AddressInfo, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { buildWhenStale, nextBuild } from '../examples/conformance/build-when-stale.js'

// Every example server started as its README says (issue #21): from the repository root, `pnpm start`
// (Express, in the root) or `pnpm --filter @latchkey/example-<name> start` (in the example's folder, with
// pnpm's INIT_CWD naming the root). A temporary directory stands in for the root, so the test never
// touches the ./latchkey.db a developer keeps there; the CLI runs in it as `pnpm latchkey` runs in the root.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const cliBin = path.join(repoRoot, 'packages/cli/dist/bin.js')
// `node --import tsx` rather than the tsx binary: one process, so stopping it stops the server. Imported
// by URL, because Express runs in the stand-in root, where no node_modules resolves `tsx`.
const tsx = pathToFileURL(createRequire(path.join(repoRoot, 'examples/express/package.json')).resolve('tsx')).href

interface Example {
  readonly name: string
  /** The working directory pnpm gives the start script, `root` standing for the repository root. */
  readonly cwd: (root: string) => string
}

const examples: readonly Example[] = [
  { name: 'express', cwd: (root) => root },
  ...['fastify', 'hono', 'koa', 'node-http', 'next'].map((name) => ({
    name,
    cwd: () => path.join(repoRoot, 'examples', name),
  })),
]

/** This process's environment without the settings a developer's shell may hold. */
function cleanEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('LATCHKEY_') && name !== 'INIT_CWD'),
  )
}

/** Runs `file args` in `cwd` with `env`; rejects with its output when it fails or outlives `timeout` ms. */
function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, timeout: number) {
  return new Promise<string>((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${path.basename(file)} ${args.join(' ')} failed:\n${stdout}${stderr}`))
        : resolve(stdout),
    )
  })
}

interface Started {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves with the exit code once the process is gone. */
  readonly exited: Promise<number | null>
}

function start(example: Example, root: string, port: number, settings: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(
    process.execPath,
    ['--import', tsx, path.join(repoRoot, `examples/${example.name}/src/server.ts`)],
    {
      cwd: example.cwd(root),
      env: { ...cleanEnvironment(), INIT_CWD: root, PORT: String(port), HOST: '127.0.0.1', ...settings },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

/** SIGTERM, then SIGKILL after 5 s. */
async function stop({ child, exited }: Started): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

/** The exit code of `started`, or `'still running'` after `ms` milliseconds. */
async function exitCode(started: Started, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'still running'>((resolve) => {
    timer = setTimeout(resolve, ms, 'still running')
  })
  try {
    return await Promise.race([started.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The base URL of the "listening" line, once printed; throws if the process exits or is silent for 30 s. */
async function listening(started: Started): Promise<string> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const url = /Latchkey example API on (http:\/\/[\d.]+:\d+)/.exec(started.stdout())?.[1]
    if (url) return url
    if (started.child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`The server did not start:\n${started.stdout()}${started.stderr()}`)
}

describe('every example server, started as its README says', () => {
  let root = ''
  let key = { id: '', secret: '' }

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(tmpdir(), 'latchkey-root-'))
    // `pnpm latchkey …` at the root: no --database, no LATCHKEY_DATABASE_URL, so sqlite:./latchkey.db there.
    const env = { ...cleanEnvironment(), INIT_CWD: root }
    const accountId = (
      await run(process.execPath, [cliBin, 'accounts', 'create', '--name', 'Acme'], root, env, 15_000)
    ).trim()
    const properties = await run(
      process.execPath,
      [cliBin, 'keys', 'create', '--account', accountId],
      root,
      env,
      15_000,
    )
    key = {
      id: /^apiKey\.id\s*=\s*(\S+)$/m.exec(properties)?.[1] ?? '',
      secret: /^apiKey\.secret\s*=\s*(\S+)$/m.exec(properties)?.[1] ?? '',
    }
    // `next build` loads lib/verifier.ts, which opens the database: the stand-in root's, not the real one.
    await buildWhenStale({ ...nextBuild(repoRoot), env: { ...cleanEnvironment(), INIT_CWD: root } })
  }, 180_000)

  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true })
  })

  for (const example of examples) {
    it(`${example.name}: accepts a key that \`pnpm latchkey\` made in the root's default database`, async () => {
      const server = start(example, root, 0)
      try {
        const url = await listening(server)
        const answer = await fetch(`${url}/api/test`, {
          headers: { authorization: `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}` },
          signal: AbortSignal.timeout(10_000),
        })
        expect(answer.status).toBe(200)
        expect(await answer.json()).toMatchObject({ keyId: key.id })
      } finally {
        await stop(server)
      }
    }, 40_000)
  }

  describe('with its port already taken', () => {
    let holder: Server | undefined
    let port = 0

    beforeAll(async () => {
      const server = createServer()
      holder = server
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      port = (server.address() as AddressInfo).port
    })

    afterAll(async () => {
      await new Promise((resolve) => holder?.close(resolve))
    })

    for (const example of examples) {
      it(`${example.name}: exits non-zero with one line naming the port and PORT, and never says it listens`, async () => {
        const server = start(example, root, port)
        try {
          const code = await exitCode(server, 15_000)
          expect(code).not.toBe('still running')
          expect(code).not.toBe(0)
          expect(server.stderr()).toBe(
            `latchkey: port ${port} on 127.0.0.1 is in use; set PORT to another port (or stop what listens there).\n`,
          )
          expect(server.stdout()).not.toContain('Latchkey example API on')
        } finally {
          await stop(server)
        }
      }, 20_000)
    }
  })

  describe('with a malformed setting', () => {
    // One mistake per example, so that each kind is seen once: every example reads its settings alike.
    const mistakes: readonly [string, NodeJS.ProcessEnv, string][] = [
      ['express', { PORT: 'abc' }, 'PORT must be a port number (0 picks a free port), a whole number from 0 to 65535.'],
      ['fastify', { LATCHKEY_KEY_ENCRYPTION_KEY: 'short' }, 'LATCHKEY_KEY_ENCRYPTION_KEY must hold 32 random bytes'],
      ['hono', { LATCHKEY_ISSUER: 'api.example.com' }, 'LATCHKEY_ISSUER must be an absolute http(s) URL'],
      ['koa', { LATCHKEY_DATABASE_URL: 'keys.db' }, 'LATCHKEY_DATABASE_URL: Invalid database URL "keys.db"'],
      ['node-http', { LATCHKEY_DATABASE_URL: 'sqlite:./missing/keys.db' }, 'the directory'],
      ['next', { PORT: '70000' }, 'PORT must be a port number'],
    ]
    for (const [name, settings, message] of mistakes) {
      it(`${name}: exits 1 with one line naming it (${Object.keys(settings)[0]}), no stack trace`, async () => {
        const example = examples.find((candidate) => candidate.name === name) as Example
        const server = start(example, root, 0, settings)
        try {
          expect(await exitCode(server, 15_000)).toBe(1)
          expect(server.stderr()).toMatch(/^latchkey: [^\n]+\n$/)
          expect(server.stderr()).toContain(message)
          expect(server.stdout()).not.toContain('Latchkey example API on')
        } finally {
          await stop(server)
        }
      }, 20_000)
    }

    it('next: a key-encryption key that opens no signing key stops it before it listens, as the others', async () => {
      // The route handlers' verifier is in Next's bundle; the server checks with one of its own first.
      const next = examples.find((candidate) => candidate.name === 'next') as Example
      // A root of its own, whose first signing key is made sealed (the shared root's is not).
      const sealedRoot = fs.mkdtempSync(path.join(tmpdir(), 'latchkey-sealed-root-'))
      const first = start(next, sealedRoot, 0, { LATCHKEY_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') })
      try {
        await listening(first)
      } finally {
        await stop(first)
      }
      const server = start(next, sealedRoot, 0, {
        LATCHKEY_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
      })
      onTestFinished(() => fs.rmSync(sealedRoot, { recursive: true, force: true }))
      try {
        expect(await exitCode(server, 15_000)).toBe(1)
        expect(server.stderr()).toMatch(/^latchkey: Signing key \S+ is sealed with another key-encryption key[^\n]*\n$/)
        expect(server.stdout()).not.toContain('Latchkey example API on')
      } finally {
        await stop(server)
      }
    }, 40_000)
  })
})
