import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** A throwaway PostgreSQL cluster on loopback, for tests. */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`: the maintenance database. */
  readonly url: string
  readonly port: number
  /** Creates an empty database and returns its URL; each test file takes its own. */
  createDatabase(name: string): Promise<string>
  /** Stops the server (fast shutdown: connections are cut), keeping its data. */
  stop(): Promise<void>
  /** Starts the stopped server again on the same port and data. */
  start(): Promise<void>
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>
}

const uid = () => Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
const gid = () => Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())

/** A session on one database, as an operator in `psql` would hold. */
export interface SqlSession {
  query(text: string, values?: unknown[]): Promise<unknown[]>
  end(): Promise<void>
}

/** Opens a {@link SqlSession} on the database at `url`. */
export async function openSession(url: string): Promise<SqlSession> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    query: async (text, values = []) => (await client.query(text, values)).rows,
    end: () => client.end(),
  }
}

/** The PostgreSQL binaries' folder: `pg_config --bindir`, else the newest Debian-style install. */
function binDir(): string {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
  } catch (cause) {
    const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : []
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
    if (newest !== undefined && existsSync(join('/usr/lib/postgresql', newest, 'bin', 'initdb'))) {
      return join('/usr/lib/postgresql', newest, 'bin')
    }
    throw new Error('pg_config was not found: install the PostgreSQL server (15 or newer) to run these tests.', {
      cause,
    })
  }
}

/**
 * initdb and postgres refuse to run as root, so when the tests run as root the server runs as the
 * `postgres` user, created when missing (a fresh CI machine may lack it).
 */
function runAs(): { command: (bin: string, args: string[]) => [string, string[]]; owner?: [number, number] } {
  if (process.getuid?.() !== 0) return { command: (bin, args) => [bin, args] }
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' })
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'])
  }
  return { command: (bin, args) => ['runuser', ['-u', 'postgres', '--', bin, ...args]], owner: [uid(), gid()] }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No port.')),
      )
    })
  })
}

/** Starts a new cluster: initdb in a temporary folder, then postgres on a free loopback port. */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binDir()
  const user = runAs()
  const root = mkdtempSync(join(tmpdir(), 'latchkey-pg-'))
  const data = join(root, 'data')
  if (user.owner) {
    chownSync(root, ...user.owner)
  }
  chmodSync(root, 0o700)
  const [initdb, initArgs] = user.command(join(bin, 'initdb'), [
    '-D',
    data,
    '--auth=trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ])
  execFileSync(initdb, initArgs, { stdio: 'pipe' })
  const port = await freePort()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  let server: ChildProcess | undefined
  let log = ''

  async function start(): Promise<void> {
    const [postgres, args] = user.command(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      root,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=32MB',
    ])
    const child = spawn(postgres, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    server = child
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk
    })
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk
    })
    const deadline = Date.now() + 30_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${log}`)
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 })
      try {
        await client.connect()
        await client.query('SELECT 1')
        await client.end()
        return
      } catch {
        await client.end().catch(() => undefined)
        if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${log}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }

  async function stop(): Promise<void> {
    const child = server
    server = undefined
    if (!child || child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    // SIGINT is PostgreSQL's fast shutdown: it cuts every connection, then exits. It goes to the
    // postmaster itself (its pid file's first line), not to runuser, which may not pass it on.
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n', 1)[0])
    process.kill(pid, 'SIGINT')
    const timer = setTimeout(() => {
      process.kill(pid, 'SIGKILL')
      child.kill('SIGKILL')
    }, 15_000)
    await exited
    clearTimeout(timer)
  }

  await start()
  return {
    url,
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
      } finally {
        await client.end()
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`
    },
    stop,
    start,
    async destroy() {
      await stop()
      rmSync(root, { recursive: true, force: true })
    },
  }
}
