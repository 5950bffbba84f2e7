import type { LoadSummary } from '../load.js'
import type { CpuTarget, Target } from '../scenario.js'
import { type Spread, spread } from '../stats.js'

/** A {@link CpuTarget} checked against the same run. */
export interface CpuTargetCheck extends CpuTarget {
  /** µs per request this row adds over its own process's no-auth route: the median over rounds. */
  readonly added: number
  /** µs per request `against` adds over its own process's no-auth route: the median over rounds. */
  readonly againstAdded: number
  /** `added ÷ againstAdded`; `NaN` where either is unknown or `against` adds nothing measurable. */
  readonly ratio: number
  readonly met: boolean
  /** `false` in a quick run, where a figure is missing, or when either row is a disturbed run. */
  readonly judged: boolean
}

/** Whether `target` is judged on server CPU rather than on req/s. */
export const isCpuTarget = (target: Target): target is CpuTarget => 'addedCpuAtMost' in target

/** Server CPU µs per request, one per round, `NaN` where the round failed or the CPU could not be read. */
export const cpuPerRound = (rounds: readonly (LoadSummary | undefined)[]): number[] =>
  rounds.map((round) => round?.serverCpuPerRequest ?? Number.NaN)

/**
 * What a scenario adds over its reference, round by round: its server CPU per request minus the
 * reference's in the same round (`NaN` where either is missing), then median and range over the rounds.
 */
export function addedCpu(cpu: readonly number[], reference: readonly number[]): Spread {
  const added = cpu.map((value, round) => value - (reference[round] ?? Number.NaN))
  return spread(added.filter(Number.isFinite))
}

/**
 * Judges `target`: this row's median added CPU ≤ `addedCpuAtMost` × the median added CPU of `against`.
 * Medians over rounds rather than round-by-round ratios: each added figure is already a difference
 * within its round, and a ratio of two few-µs differences, round by round, swings far more than either
 * median. A peer that adds nothing measurable (≤ 0 µs) gives no ratio, and the target is not judged.
 */
export function checkCpuTarget(
  target: CpuTarget,
  added: Spread,
  againstAdded: Spread,
  { judge }: { judge: boolean },
): CpuTargetCheck {
  const ratio = againstAdded.median > 0 ? added.median / againstAdded.median : Number.NaN
  return {
    ...target,
    added: added.median,
    againstAdded: againstAdded.median,
    ratio,
    met: ratio <= target.addedCpuAtMost,
    judged: judge && Number.isFinite(ratio),
  }
}
