import { execFileSync } from 'node:child_process'
import { cpus } from 'node:os'

/**
 * Where the processes of a run are placed. On a 2-core VM the scheduler otherwise moves the server
 * and the load generator between the cores, and sometimes lets them share one for seconds: the same
 * server then measured 30 % faster or slower from one run to the next, in whichever scenarios it
 * served. Pinned, every server runs on `server` and the load generator on `load`, in every round.
 */
export interface CpuPinning {
  readonly server: number
  readonly load: number
}

/** The pinning to use: servers on CPU 0, load on CPU 1, where Linux, 2 CPUs and `taskset` allow it. */
export function choosePinning(wanted: boolean): CpuPinning | undefined {
  if (!wanted || process.platform !== 'linux' || cpus().length < 2) return undefined
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
  } catch {
    return undefined
  }
  return { server: 0, load: 1 }
}

/** Pins every thread of process `pid` to `cpu`; threads it starts later inherit the pinning. */
export function pin(pid: number | undefined, cpu: number | undefined): void {
  if (pid === undefined || cpu === undefined) return
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' })
}
