import { readdirSync, readFileSync } from 'node:fs'
import { pin } from '../cpu-pinning.js'

/** The ids of the processes `pid` started that still run (Linux's `/proc/PID/task/TID/children`). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      parseChildren(readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')),
    )
  } catch {
    return []
  }
}

/** The pids of a `children` file: numbers separated by spaces. */
export function parseChildren(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((word) => /^\d+$/.test(word))
    .map(Number)
}

/** The parent of process `pid`, from `/proc/PID/stat` (its fourth field, after the parenthesised name). */
export function parentOf(pid: number): number | undefined {
  try {
    return parseParent(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

/** The parent pid in a `/proc/PID/stat` line; the name in parentheses may hold spaces and parentheses. */
export function parseParent(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const parent = Number(fields[1])
  return Number.isSafeInteger(parent) && parent > 0 ? parent : undefined
}

/**
 * Pins `pid` and every process under it to `cpu`. Processes they start later inherit the pinning (a
 * Postgres backend forked for a new connection), so pinning the tree once it runs is enough.
 */
export function pinTree(pid: number, cpu: number | undefined): void {
  if (cpu === undefined) return
  for (let pending = [pid], next = pending.pop(); next !== undefined; next = pending.pop()) {
    try {
      pin(next, cpu)
    } catch {
      // Gone since it was listed.
    }
    pending.push(...childrenOf(next))
  }
}
