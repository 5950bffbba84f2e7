import type { ChildProcess } from 'node:child_process'
import { pin } from './cpu-pinning.js'
import { fixtureEnv } from './fixture.js'
import type { ServerName } from './scenarios.js'
import type { ReadyMessage } from './servers/listen.js'
import { forkScript, nextMessage, stopProcess } from './ts-process.js'

/** A benchmark server running in its own process. */
export interface ServerProcess {
  readonly name: ServerName
  readonly port: number
  readonly child: ChildProcess
  stop(): Promise<void>
}

/**
 * Starts `servers/<name>.ts` (with `nodeOptions` such as `--cpu-prof`), pinned to `cpu` when given, and
 * waits, at most 60 s, until it listens.
 */
export async function startServer(
  name: ServerName,
  fixturePath: string,
  nodeOptions: readonly string[] = [],
  cpu?: number,
): Promise<ServerProcess> {
  const child = forkScript(`servers/${name}.ts`, { [fixtureEnv]: fixturePath }, nodeOptions)
  try {
    pin(child.pid, cpu)
    const { port } = await nextMessage(child, 60_000, isReady)
    return { name, port, child, stop: () => stopProcess(child) }
  } catch (error) {
    await stopProcess(child)
    throw new Error(`The ${name} server did not start.`, { cause: error })
  }
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready'
}
