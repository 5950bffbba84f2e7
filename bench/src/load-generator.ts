import type { ChildProcess } from 'node:child_process'
import { pin } from './cpu-pinning.js'
import type { LoadJob, LoadReply, LoadSummary } from './load.js'
import { forkScript, nextMessage, stopProcess } from './ts-process.js'

/**
 * The autocannon process, started once and reused for every measurement (starting tsx costs about a
 * second). A job that overruns its time is killed with the process, and the next job starts a new one.
 */
export class LoadGenerator {
  #child: ChildProcess | undefined
  readonly #cpu: number | undefined

  /** `cpu`: the CPU its process is pinned to, if any. */
  constructor(cpu?: number) {
    this.#cpu = cpu
  }

  /** Runs one measurement; rejects if it takes more than its duration plus 30 s. */
  async run(job: Omit<LoadJob, 'type'>): Promise<LoadSummary> {
    if (!this.#child) {
      this.#child = forkScript('load.ts')
      pin(this.#child.pid, this.#cpu)
    }
    const child = this.#child
    const reply = nextMessage(child, job.duration * 1000 + 30_000, isReply)
    child.send({ type: 'run', ...job } satisfies LoadJob)
    try {
      return (await reply).summary
    } catch (error) {
      this.#child = undefined
      await stopProcess(child)
      throw error
    }
  }

  async close(): Promise<void> {
    if (this.#child) await stopProcess(this.#child)
    this.#child = undefined
  }
}

function isReply(message: unknown): message is LoadReply {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'result'
}
