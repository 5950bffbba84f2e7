import { type ChildProcess, spawn } from 'node:child_process'

/** A process the bench started that is not a Node script of its own (nginx, `latchkey serve`). */
export interface SpawnedProcess {
  readonly child: ChildProcess
  /** The last few kilobytes it wrote to stdout and stderr, for failure messages. */
  output(): string
  /** SIGTERM, then SIGKILL to it and to `alsoKill` (its workers) after `grace` ms (default 3000). */
  stop(alsoKill?: readonly number[], grace?: number): Promise<void>
}

const kept = 8192

/**
 * Starts `command` and resolves once a line it printed satisfies `ready`, or rejects with its output when
 * it exits first or `timeout` ms (default 30 000) pass. Neither nginx nor `latchkey serve` notices that
 * the orchestrator went away, as the forked servers do: each is also ended when this process exits
 * (`process.exit` on the run's deadline or Ctrl-C), so none outlives the run.
 */
export function spawnUntilReady(
  command: string,
  args: readonly string[],
  { env, ready, timeout = 30_000 }: { env: NodeJS.ProcessEnv; ready: (line: string) => boolean; timeout?: number },
): Promise<SpawnedProcess> {
  const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const onExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  process.on('exit', onExit)
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  exited.then(() => process.off('exit', onExit))
  const spawned: SpawnedProcess = {
    child,
    output: () => output,
    async stop(alsoKill = [], grace = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        for (const pid of alsoKill) kill(pid)
      }, grace)
      await exited
      clearTimeout(timer)
    },
  }
  return new Promise((resolve, reject) => {
    let pending = ''
    let settled = false
    const fail = (problem: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      spawned.stop([], 500).finally(() => reject(new Error(`${command} ${problem}:\n${output}`)))
    }
    const timer = setTimeout(() => fail(`was not ready within ${timeout} ms`), timeout)
    const read = (chunk: Buffer): void => {
      const text = chunk.toString('utf8')
      output = (output + text).slice(-kept)
      if (settled) return
      const lines = (pending + text).split('\n')
      pending = lines.pop() ?? ''
      if (lines.some(ready)) {
        settled = true
        clearTimeout(timer)
        resolve(spawned)
      }
    }
    // Read to the end, so that a process writing a lot under load never blocks on a full pipe.
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('error', (error) => fail(`could not start (${error.message})`))
    child.once('exit', (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`))
  })
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}
