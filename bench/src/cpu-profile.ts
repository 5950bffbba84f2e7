/** The parts of a V8 `.cpuprofile` that a summary needs. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
    readonly hitCount?: number
  }[]
  /** Microseconds, as V8 writes them; with `samples`, they give the sampling interval. */
  readonly startTime?: number
  readonly endTime?: number
  readonly samples?: readonly number[]
}

/**
 * Busy CPU time in the profile, in microseconds: the non-idle samples times the mean sampling interval.
 * Divided by the requests served while profiling, it gives a cost per request that can be compared
 * between two profiles, which shares of each alone cannot.
 */
export function busyMicroseconds(profile: CpuProfile): number {
  const { startTime, endTime, samples } = profile
  if (startTime === undefined || endTime === undefined || !samples?.length) return Number.NaN
  const interval = (endTime - startTime) / samples.length
  let busy = 0
  for (const { callFrame, hitCount = 0 } of profile.nodes) {
    if (callFrame.functionName !== '(idle)' && callFrame.functionName !== '(program)') busy += hitCount
  }
  return busy * interval
}

/** A share of the samples. */
export interface ProfileShare {
  readonly name: string
  readonly percent: number
}

/** Where a frame's code comes from: a package, Latchkey, the benchmark, Node itself, or V8. */
export function origin(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  const latchkey = /\/packages\/([^/]+)\//.exec(url)
  if (latchkey && !url.includes('node_modules')) return `@latchkey/${latchkey[1]}`
  const modules = url.split('node_modules/')
  const last = modules[modules.length - 1]
  if (modules.length > 1 && last) {
    const parts = last.split('/')
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url)
  }
  if (url.startsWith('node:')) return 'node internals'
  if (url.includes('/bench/src/')) return 'bench'
  return url
}

/** Self time by origin and by function, in percent of the non-idle samples, largest first. */
export function summarize(profile: CpuProfile, top = 25): { origins: ProfileShare[]; functions: ProfileShare[] } {
  const byOrigin = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  for (const { callFrame, hitCount = 0 } of profile.nodes) {
    if (hitCount === 0 || callFrame.functionName === '(idle)' || callFrame.functionName === '(program)') continue
    total += hitCount
    const from = origin(callFrame.url, callFrame.functionName)
    byOrigin.set(from, (byOrigin.get(from) ?? 0) + hitCount)
    const file = callFrame.url.split('/').slice(-2).join('/')
    const name = `${callFrame.functionName || '(anonymous)'} ${file}:${callFrame.lineNumber + 1} [${from}]`
    byFunction.set(name, (byFunction.get(name) ?? 0) + hitCount)
  }
  const shares = (map: Map<string, number>): ProfileShare[] =>
    [...map]
      .map(([name, hits]) => ({ name, percent: (100 * hits) / Math.max(total, 1) }))
      .sort((a, b) => b.percent - a.percent)
  return { origins: shares(byOrigin), functions: shares(byFunction).slice(0, top) }
}
