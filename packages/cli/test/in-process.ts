import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import { afterAll, beforeAll, beforeEach, expect } from 'vitest'
import type { CliIo } from '../src/cli-io.js'
import { run } from '../src/run.js'

/** What one in-process run of the CLI printed, and its exit code. */
export interface Result {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the CLI in-process (`run(argv, io)`) against a fresh SQLite file per test, and records every
 * output so a test can check that no secret ever showed up.
 */
export function inProcessCli(prefix: string) {
  const transcript: Result[] = []
  let root = ''
  let work = ''

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), prefix))
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  beforeEach(({ task }) => {
    work = join(root, task.id)
    mkdirSync(work)
  })

  async function latchkey(args: readonly string[], options: { stdin?: string | Buffer } = {}): Promise<Result> {
    const stdout: string[] = []
    const stderr: string[] = []
    const io: CliIo = {
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text) },
      env: { LATCHKEY_DATABASE_URL: `sqlite:${join(work, 'latchkey.db')}` },
      cwd: work,
      stdin: options.stdin === undefined ? undefined : Readable.from([options.stdin]),
    }
    const status = await run(args, io)
    const result = { status, stdout: stdout.join(''), stderr: stderr.join('') }
    transcript.push(result)
    return result
  }

  /**
   * Runs a command that must succeed quietly and returns its stdout. Quietly but for the line that
   * says a new database was created: the first `accounts create` of every test makes one.
   */
  async function ok(args: readonly string[], options?: { stdin?: string | Buffer }): Promise<string> {
    const result = await latchkey(args, options)
    expect({ ...result, stderr: withoutNewDatabaseNote(result.stderr) }).toMatchObject({ status: 0, stderr: '' })
    return result.stdout
  }

  /** Runs a command that must fail with `status` and one `latchkey: error:` line, and returns that line. */
  async function fails(args: readonly string[], status: 1 | 2, options?: { stdin?: string | Buffer }): Promise<string> {
    const result = await latchkey(args, options)
    expect(result.status).toBe(status)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^latchkey: error: [^\n]+\n$/)
    return result.stderr
  }

  /** The SQLite store the CLI writes to, opened for a look behind its back (or to age a key). */
  function withStore<T>(work_: (store: ReturnType<typeof openSqliteKeyStore>) => T): T {
    const store = openSqliteKeyStore(join(work, 'latchkey.db'))
    try {
      return work_(store)
    } finally {
      store.close()
    }
  }

  return { latchkey, ok, fails, withStore, transcript, workDir: () => work }
}

/** `stderr` without the line saying a new database was created, which only `accounts create` prints. */
export function withoutNewDatabaseNote(stderr: string): string {
  return stderr.replace(/^latchkey: created a new database at [^\n]+\n/, '')
}

/** A key as `keys show --json` and `keys list --json` print it. */
export interface KeyJson {
  id: string
  name: string | null
  description: string | null
  accountId: string
  status: string
  state: string
  accountStatus: string | null
  scopes: string[]
  metadata: Record<string, unknown>
  createdAt: string
  expiresAt: string | null
  lastUsedAt: string | null
  replaces: string | null
  replacedBy: string | null
  rateLimits: { count: number; window: number }[]
  credits: {
    remaining: number
    refill: { amount: number; interval: 'day' | 'month' } | null
    refillsAt: string | null
  } | null
}
