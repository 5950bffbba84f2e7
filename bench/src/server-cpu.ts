import { readFileSync } from 'node:fs'

/** Microseconds per clock tick of `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const tick = 10_000

/**
 * The CPU time, user and system, that process `pid` has used so far, in µs, from `/proc/<pid>/stat`;
 * `undefined` where there is no `/proc` (not Linux) or the process is gone.
 */
export function cpuTimeOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    const used = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(used) ? used * tick : undefined
  } catch {
    return undefined
  }
}
