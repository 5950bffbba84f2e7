import { execFile, spawn } from 'node:child_process'
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
  /** The URL of its database (`sqlite:` or `postgres://`), which the CLI shares. */
  databaseUrl(): string
  readonly issuer: string
  /** Everything the process wrote to stdout so far. */
  stdout(): string
}

/** Options of {@link startExample}. */
export interface StartExampleOptions {
  /** A build run before it starts when stale, such as `next build` ({@link nextBuild}). */
  readonly build?: Omit<StaleBuild, 'env'>
  /**
   * The command that starts it, file and arguments, run in the example's folder, such as
   * {@link startScript} reads it. Default: `node --import tsx src/server.ts`, what `tsx src/server.ts` does.
   */
  readonly command?: readonly string[]
  /**
   * Its database: a fresh SQLite file, or a fresh database on a throwaway PostgreSQL cluster
   * (`packages/store-postgres/test/postgres-cluster.ts`), destroyed after the tests. Default: `'sqlite'`.
   */
  readonly database?: 'sqlite' | 'postgres'
}

/** `node --import tsx` rather than the tsx binary: one process, so stopping it stops the server. */
const tsxCommand = [process.execPath, '--import', 'tsx', 'src/server.ts']

/**
 * Starts `examples/<name>/src/server.ts` through tsx (or with `options.command`), as its `start`
 * script does, with `PORT=0` on a fresh database, for the tests of the calling file; stops it after them.
 */
export function startExample(name: string, options: StartExampleOptions = {}): ExampleServer {
  let database: Database | undefined
  let url = ''
  let started: ExampleProcess | undefined

  beforeAll(async () => {
    database = await (options.database === 'postgres' ? postgresDatabase : sqliteDatabase)(name)
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      LATCHKEY_DATABASE_URL: database.url,
      LATCHKEY_ISSUER: ISSUER,
    }
    if (options.build) await buildWhenStale({ ...options.build, env: { ...process.env, ...env } })
    started = spawnExample(name, { command: options.command ?? tsxCommand, env })
    url = await started.listening
  }, 120_000)

  afterAll(async () => {
    await started?.stop()
    await database?.destroy()
  })

  return {
    url: () => url,
    databaseUrl: () => database?.url ?? '',
    issuer: ISSUER,
    stdout: () => started?.stdout() ?? '',
  }
}

/** A database made for one test file. */
interface Database {
  readonly url: string
  destroy(): Promise<void>
}

async function sqliteDatabase(name: string): Promise<Database> {
  const dir = fs.mkdtempSync(path.join(tmpdir(), `latchkey-${name}-`))
  return {
    url: `sqlite:${path.join(dir, 'latchkey.db')}`,
    destroy: async () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}

async function postgresDatabase(name: string): Promise<Database> {
  // Imported only here, so the SQLite examples never load pg.
  const { startPostgres } = await import('../../packages/store-postgres/test/postgres-cluster.js')
  const cluster = await startPostgres()
  try {
    return { url: await cluster.createDatabase(`latchkey_${name}`), destroy: () => cluster.destroy() }
  } catch (error) {
    await cluster.destroy()
    throw error
  }
}

/**
 * The `start` script of `examples/<name>/package.json` as a command, its first word (`bun`, `deno`)
 * replaced by `program`: the tests run what the README's `pnpm --filter … start` runs, flags and all,
 * without pnpm in between.
 */
export function startScript(name: string, program: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', name, 'package.json'), 'utf8')) as {
    scripts?: { start?: string }
  }
  const [, ...args] = manifest.scripts?.start?.trim().split(/\s+/) ?? []
  if (args.length === 0) throw new Error(`examples/${name}/package.json has no start script.`)
  return [program, ...args]
}

/** Options of {@link spawnExample}. */
export interface SpawnExampleOptions {
  /** File and arguments, run in `examples/<name>`. */
  readonly command: readonly string[]
  /** Set over this process's environment; `undefined` removes a variable. */
  readonly env: Readonly<Record<string, string | undefined>>
}

/** An example's process, started by {@link spawnExample}. */
export interface ExampleProcess {
  /**
   * Its base URL, once it printed "Latchkey example API on http://HOST:PORT (issuer {@link ISSUER})";
   * rejects, with its output, when it exits first or stays silent for 30 s.
   */
  readonly listening: Promise<string>
  /** Its exit code, once it has exited (`null` when a signal ended it). */
  readonly exited: Promise<number | null>
  stdout(): string
  stderr(): string
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. */
  stop(): Promise<number | null>
}

/** Starts an example's server with `options.command`; see {@link ExampleProcess}. */
export function spawnExample(name: string, { command, env }: SpawnExampleOptions): ExampleProcess {
  const [file = '', ...args] = command
  const environment: NodeJS.ProcessEnv = { ...process.env }
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined) delete environment[variable]
    else environment[variable] = value
  }
  const child = spawn(file, args, { cwd: path.join(repoRoot, 'examples', name), env: environment, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      stderr += `${error.message}\n`
      resolve(null)
    })
    child.once('exit', (code) => resolve(code))
  })
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s:\n${stdout}${stderr}`)), 30_000)
    child.stdout.on('data', () => {
      const match = /Latchkey example API on (http:\/\/[\d.]+:\d+) \(issuer (\S+)\)/.exec(stdout)
      if (match?.[1] && match[2] === ISSUER) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${code} before listening:\n${stdout}${stderr}`))
    })
  })
  // A process expected to fail is only awaited through `exited`; its `listening` must not go unhandled.
  listening.catch(() => undefined)

  return {
    listening,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      return exited
    },
  }
}

/** How an example that was expected to stop by itself ended: see {@link runExample}. */
export interface ExampleRun {
  /** Its exit code; `'still running'` when it had not exited in time (it is stopped then). */
  readonly code: number | null | 'still running'
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs an example that should stop by itself, such as on a setting to fix, and waits for its exit
 * for at most `timeout` milliseconds (default 15 s); one that is still running then is stopped.
 */
export async function runExample(
  name: string,
  options: SpawnExampleOptions & { timeout?: number },
): Promise<ExampleRun> {
  const started = spawnExample(name, options)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'still running'>((resolve) => {
    timer = setTimeout(resolve, options.timeout ?? 15_000, 'still running')
  })
  const code = await Promise.race([started.exited, late])
  clearTimeout(timer)
  if (code === 'still running') await started.stop()
  return { code, stdout: started.stdout(), stderr: started.stderr() }
}
