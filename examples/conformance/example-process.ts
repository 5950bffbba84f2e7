import { type ChildProcess, execFile, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { buildWhenStale, type StaleBuild } from './build-when-stale.js'

/** The monorepo root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const cliBin = path.join(repoRoot, 'packages/cli/dist/bin.js')

/** The issuer every example is started with; it need not be the listening address. */
export const ISSUER = 'http://localhost:3000'

/** Runs the real `latchkey` CLI on `databaseUrl` and returns its trimmed stdout; throws when it fails. */
export function cli(databaseUrl: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cliBin, '--database', databaseUrl, ...args],
      { timeout: 20_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`latchkey ${args.join(' ')} failed: ${stderr || error.message}`))
          : resolve(stdout.trim()),
    )
  })
}

/** An API key made with the CLI. */
export interface CliKey {
  readonly accountId: string
  readonly id: string
  readonly secret: string
}

/** Creates a key with `scope` in `accountId` with the CLI, which prints it as properties text. */
export async function cliCreateKey(databaseUrl: string, accountId: string, scope: string): Promise<CliKey> {
  const text = await cli(databaseUrl, 'keys', 'create', '--account', accountId, '--scope', scope)
  const id = /^apiKey\.id\s*=\s*(\S+)$/m.exec(text)?.[1]
  const secret = /^apiKey\.secret\s*=\s*(\S+)$/m.exec(text)?.[1]
  if (id === undefined || secret === undefined) throw new Error(`The CLI printed no key:\n${text}`)
  return { accountId, id, secret }
}

/** A running example, as its users start it. */
export interface ExampleServer {
  /** `http://127.0.0.1:PORT`, once started. */
  url(): string
  /** `sqlite:` URL of its database, which the CLI shares. */
  databaseUrl(): string
  readonly issuer: string
  /** Everything the process wrote to stdout so far. */
  stdout(): string
}

/** Options of {@link startExample}. */
export interface StartExampleOptions {
  /** A build run before it starts when stale, such as `next build` ({@link nextBuild}). */
  readonly build?: Omit<StaleBuild, 'env'>
}

/**
 * Starts `examples/<name>/src/server.ts` through tsx, as its `start` script does, with `PORT=0` on a
 * fresh SQLite file, for the tests of the calling file; stops it after them.
 */
export function startExample(name: string, options: StartExampleOptions = {}): ExampleServer {
  const cwd = path.join(repoRoot, 'examples', name)
  let dir = ''
  let url = ''
  let child: ChildProcess | undefined
  let stdout = ''
  let stderr = ''

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(tmpdir(), `latchkey-${name}-`))
    const databaseUrl = `sqlite:${path.join(dir, 'latchkey.db')}`
    const env = {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LATCHKEY_DATABASE_URL: databaseUrl,
      LATCHKEY_ISSUER: ISSUER,
    }
    if (options.build) await buildWhenStale({ ...options.build, env })
    // `node --import tsx` rather than the tsx binary: one process, so stopping it stops the server.
    const started = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd, env, stdio: 'pipe' })
    child = started
    started.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    started.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const listening = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start within 30 s:\n${stdout}${stderr}`)),
        30_000,
      )
      started.stdout?.on('data', () => {
        const match = /Latchkey example API on (http:\/\/[\d.]+:\d+) \(issuer (\S+)\)/.exec(stdout)
        if (match?.[1] && match[2] === ISSUER) {
          clearTimeout(timer)
          resolve(match[1])
        }
      })
      started.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${name} exited with ${code} before listening:\n${stdout}${stderr}`))
      })
    })
    url = await listening
  }, 120_000)

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  return {
    url: () => url,
    databaseUrl: () => `sqlite:${path.join(dir, 'latchkey.db')}`,
    issuer: ISSUER,
    stdout: () => stdout,
  }
}
