import { type ChildProcess, spawn } from 'node:child_process'

/** A process a test started: stopped by its own process id, never by name. */
export interface OwnedProcess {
  readonly pid: number
  /** What it wrote to stdout and stderr so far, for failure messages. */
  output(): string
  /** Ends it (SIGTERM, then SIGKILL after `grace` ms, default 3000) and resolves once it has exited. */
  stop(grace?: number): Promise<void>
}

/** Options of {@link startOwnedProcess}. */
export interface OwnedProcessOptions<T> {
  readonly command: string
  readonly args: readonly string[]
  /** Default: none but `PATH`, so nothing of the developer's shell (`LATCHKEY_*`, proxies' settings) leaks in. */
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** Reads each line of stdout and stderr; the first value it returns means the process is ready. */
  readonly ready: (line: string) => T | undefined
  /** How long to wait for `ready`, in ms. Default: 15000 (two shared cores can be slow). */
  readonly timeout?: number
}

/**
 * Starts `command` and resolves once `ready` recognises a line it printed, with what `ready` made of
 * it. Rejects, with the process's output, when it exits first or `timeout` passes (and then stops it).
 * The process leads its own process group, so stopping it also ends the workers it forked (nginx).
 */
export function startOwnedProcess<T>(options: OwnedProcessOptions<T>): Promise<{ process: OwnedProcess; ready: T }> {
  const { command, args, ready, timeout = 15_000 } = options
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const owned = ownedProcess(child, () => output)
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (problem: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      owned.stop(500).finally(() => reject(new Error(`${command} ${problem}:\n${output}`)))
    }
    const timer = setTimeout(() => fail(`was not ready within ${timeout} ms`), timeout)
    let pending = ''
    const read = (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      output += text
      if (settled) return
      // Whole lines only: a line split across two chunks is read once it is complete.
      const lines = (pending + text).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        const value = ready(line)
        if (value === undefined) continue
        settled = true
        clearTimeout(timer)
        resolve({ process: owned, ready: value })
        return
      }
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT' ? 'is not installed (.ci/run installs it on CI)' : `could not start (${error.message})`,
      ),
    )
    child.once('exit', (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`))
  })
}

function ownedProcess(child: ChildProcess, output: () => string): OwnedProcess {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  const signal = (name: NodeJS.Signals) => {
    if (child.pid === undefined) return
    try {
      // The negative id names the process group this child leads, and nothing else.
      process.kill(-child.pid, name)
    } catch {
      // Already gone.
    }
  }
  return {
    pid: child.pid ?? -1,
    output,
    async stop(grace = 3000) {
      // Once it has exited its id may be another process's: never signal it then.
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
      signal('SIGTERM')
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), grace)
      })
      const outcome = await Promise.race([exited, late])
      clearTimeout(timer)
      if (outcome === 'late') {
        signal('SIGKILL')
        await exited
      }
    },
  }
}
