import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// In one process better-sqlite3 is synchronous, so two connections there never interleave: only
// separate processes race for the file's write lock, as instances starting together on one file do.

const packageDir = fileURLToPath(new URL('..', import.meta.url))

/** A process racing on the store: it runs test/`script` with `args`, which says `ready`, acts on `go`, then prints its answer. */
export interface Racer {
  /** Resolves once the process has opened the store. */
  readonly ready: Promise<void>
  /** Tells the process to act. */
  go(): void
  /** The line the process printed after acting. */
  answer(): Promise<string | undefined>
  kill(): void
}

/** Starts test/`script` (run by tsx) with `args`, in a process of its own. */
export function racer(script: string, args: readonly string[]): Racer {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url))
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
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
      else reject(new Error(`The racer ${script} ${args.join(' ')} exited with ${code}:\n${errors}`))
    })
  })
  const ready = new Promise<void>((resolve) => {
    const check = () => (output.startsWith('ready\n') ? resolve() : undefined)
    child.stdout?.on('data', check)
  })
  return {
    ready,
    go: () => child.stdin?.write('go\n'),
    answer: async () => (await lines)[1],
    kill: () => child.kill('SIGKILL'),
  }
}

/** Starts every racer at once, once all are ready, and returns their answers; kills them all after `timeout` ms. */
export async function race(racers: readonly Racer[], timeout = 30_000): Promise<Array<string | undefined>> {
  const timer = setTimeout(() => {
    for (const each of racers) each.kill()
  }, timeout)
  try {
    await Promise.all(racers.map((each) => each.ready))
    for (const each of racers) each.go()
    return await Promise.all(racers.map((each) => each.answer()))
  } finally {
    clearTimeout(timer)
  }
}
