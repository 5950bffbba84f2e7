import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteKeyStore } from '../src/index.js'

// In one process better-sqlite3 is synchronous, so two connections there never interleave: only
// separate processes race for the file's write lock, as instances starting together on one file do.

const root = mkdtempSync(join(tmpdir(), 'latchkey-first-signing-key-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const script = fileURLToPath(new URL('./insert-first-signing-key.ts', import.meta.url))

/** A process that opens the store at `filename` and inserts a first key of `kid` when told to go. */
function racer(filename: string, kid: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, filename, kid], {
    cwd: packageDir,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  let errors = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk
  })
  const lines = new Promise<string[]>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) resolve(output.trim().split('\n'))
      else reject(new Error(`The racer ${kid} exited with ${code}:\n${errors}`))
    })
  })
  const ready = new Promise<void>((resolve) => {
    const check = () => (output.startsWith('ready\n') ? resolve() : undefined)
    child.stdout?.on('data', check)
  })
  return {
    ready,
    go: () => child.stdin?.write('go\n'),
    /** The kid the store returned to this process. */
    kid: async () => (await lines)[1],
    kill: () => child.kill('SIGKILL'),
  }
}

describe('SqliteKeyStore.insertFirstSigningKey across processes', () => {
  it('keeps exactly one key when 6 processes race to insert the first into one file', async () => {
    const filename = join(root, 'keys.db')
    openSqliteKeyStore(filename).close()
    const racers = Array.from({ length: 6 }, (_, index) => racer(filename, `kid-${index}`))
    const timer = setTimeout(() => {
      for (const each of racers) each.kill()
    }, 30_000)
    try {
      await Promise.all(racers.map((each) => each.ready))
      for (const each of racers) each.go()
      const kids = await Promise.all(racers.map((each) => each.kid()))
      const store = openSqliteKeyStore(filename)
      const listed = store.listSigningKeys().map((key) => key.kid)
      store.close()
      expect(listed).toHaveLength(1)
      expect(new Set(kids)).toEqual(new Set(listed))
    } finally {
      clearTimeout(timer)
    }
  }, 40_000)
})
