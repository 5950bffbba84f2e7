import { type ChildProcess, fork } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The bench package's directory, where `tsx` resolves from. */
export const benchDirectory = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Starts `src/<file>` in its own Node process through tsx, with an IPC channel to this one. `nodeOptions`
 * come after tsx's `--import`, so a module they import may be TypeScript (A/B mode's resolve hook).
 */
export function forkScript(
  file: string,
  env: Readonly<Record<string, string>> = {},
  nodeOptions: readonly string[] = [],
): ChildProcess {
  return fork(join(benchDirectory, 'src', file), [], {
    cwd: benchDirectory,
    execArgv: ['--import', 'tsx', ...nodeOptions],
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/**
 * The next IPC message of `child` that `accept` takes, or a rejection when the child exits first or
 * `timeout` ms pass. Nothing waits forever.
 */
export function nextMessage<T>(child: ChildProcess, timeout: number, accept: (message: unknown) => message is T) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`No answer from the child process within ${timeout} ms.`)), timeout)
    const onMessage = (message: unknown): void => {
      if (accept(message)) finish(undefined, message)
    }
    const onExit = (code: number | null): void => finish(new Error(`The child process exited (code ${code}).`))
    function finish(error: Error | undefined, message?: T): void {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      if (error) reject(error)
      else resolve(message as T)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** Ends `child` and waits for it: SIGTERM, then SIGKILL after a second. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 1000)
  await exited
  clearTimeout(timer)
}
