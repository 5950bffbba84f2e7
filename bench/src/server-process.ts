import type { ChildProcess } from 'node:child_process'
import { pin } from './cpu-pinning.js'
import { fixtureEnv } from './fixture.js'
import type { ServerName } from './scenario.js'
import type { ReadyMessage } from './servers/listen.js'
import { forkScript, nextMessage, stopProcess } from './ts-process.js'

/** What the load generator sends a scenario's requests to: one server process, or a forward-auth stack. */
export interface RunningServer {
  readonly port: number
  /** Every process that serves its requests, whose CPU time is the server CPU of its scenarios. */
  readonly pids: readonly number[]
  /** The token its own token endpoint issued once it started, for requests with `issuedToken`. */
  readonly issuedToken?: string
  stop(): Promise<void>
}

/** A benchmark server running in its own process. */
export interface ServerProcess extends RunningServer {
  readonly name: ServerName
  readonly child: ChildProcess
}

/**
 * Starts `servers/<name>.ts` (with `nodeOptions` such as `--cpu-prof`, after tsx's `--import`, and `env`
 * added to this process's), pinned to `cpu` when given, and waits, at most 60 s, until it listens.
 */
export async function startServer(
  name: ServerName,
  fixturePath: string,
  nodeOptions: readonly string[] = [],
  cpu?: number,
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> {
  const child = forkScript(`servers/${name}.ts`, { ...env, [fixtureEnv]: fixturePath }, nodeOptions)
  try {
    pin(child.pid, cpu)
    const { port } = await nextMessage(child, 60_000, isReady)
    return { name, port, child, pids: child.pid === undefined ? [] : [child.pid], stop: () => stopProcess(child) }
  } catch (error) {
    await stopProcess(child)
    throw new Error(`The ${name} server did not start.`, { cause: error })
  }
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready'
}
