import type { LoadSummary } from '../load.js'
import type { ScenarioRounds } from '../report.js'
import { median, pairedRatios, type Spread, spread } from '../stats.js'
import { twinIdOf } from './base-twin-scenarios.js'
import type { BaselineBuild } from './baseline-build.js'

/** A measure of one scenario on each build: this checkout's (`new`) and the baseline's (`base`). */
export interface BuildPair {
  readonly new: number
  readonly base: number
}

/** One line of the A/B table: a scenario and its twin, measured in the same rounds. */
export interface AbRow {
  readonly id: string
  readonly label: string
  /** Server CPU µs per request, median over rounds. */
  readonly serverCpu: BuildPair
  /** Requests per second, median over rounds. */
  readonly rate: BuildPair
  /** new ÷ base server CPU per request, per round, then median and range. */
  readonly serverCpuRatio: Spread
  /**
   * Server CPU µs per request over the same process's no-auth route in the same round, median over
   * rounds: what the authentication adds on each build. `NaN` for a no-auth route itself.
   */
  readonly added: BuildPair
  /** new ÷ base of {@link added}, per round, then median and range; rounds where base added nothing are left out. */
  readonly addedRatio: Spread
}

const cpuOf = (rounds: readonly (LoadSummary | undefined)[]): number[] =>
  rounds.map((round) => round?.serverCpuPerRequest ?? Number.NaN)
const finiteMedian = (values: readonly number[]): number => median(values.filter(Number.isFinite))

/**
 * A row for every scenario measured with its twin (`<id>@base`), in the order measured. A ratio below 1
 * means the new build spends less server CPU per request than the baseline.
 */
export function buildAbRows(results: readonly ScenarioRounds[]): AbRow[] {
  const byId = new Map(results.map((result) => [result.scenario.id, result]))
  /** Per round: server CPU per request minus that of the same process's no-auth route; `NaN` for that route. */
  const addedOf = ({ scenario, rounds }: ScenarioRounds): number[] => {
    const reference = scenario.sameProcess ?? scenario.baseline
    const own = byId.get(reference)
    if (reference === scenario.id || !own) return rounds.map(() => Number.NaN)
    const references = cpuOf(own.rounds)
    return cpuOf(rounds).map((cpu, round) => cpu - (references[round] ?? Number.NaN))
  }
  return results.flatMap((next) => {
    const base = byId.get(twinIdOf(next.scenario.id))
    if (!base) return []
    const [nextAdded, baseAdded] = [addedOf(next), addedOf(base)]
    return [
      {
        id: next.scenario.id,
        label: next.scenario.label,
        serverCpu: { new: finiteMedian(cpuOf(next.rounds)), base: finiteMedian(cpuOf(base.rounds)) },
        rate: {
          new: finiteMedian(next.rounds.map((round) => round?.requestsPerSecond ?? Number.NaN)),
          base: finiteMedian(base.rounds.map((round) => round?.requestsPerSecond ?? Number.NaN)),
        },
        serverCpuRatio: spread(pairedRatios(cpuOf(next.rounds), cpuOf(base.rounds))),
        added: { new: finiteMedian(nextAdded), base: finiteMedian(baseAdded) },
        addedRatio: spread(pairedRatios(nextAdded, baseAdded)),
      },
    ]
  })
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '–')
const range = ({ median, min, max }: Spread): string =>
  Number.isFinite(median) ? `${fixed(median, 2)} (${fixed(min, 2)}–${fixed(max, 2)})` : '–'
const pair = ({ new: next, base }: BuildPair, digits: number): string =>
  `${fixed(next, digits)} / ${fixed(base, digits)}`

/** The A/B table as GitHub Markdown, like the other tables, under a line naming the baseline; empty without rows. */
export function formatAbTable(rows: readonly AbRow[], baseline: BaselineBuild): string {
  if (rows.length === 0) return ''
  const lines = [
    `A/B: new is this checkout, base is ${baseline.directory} at ${baseline.commit ?? 'an unknown commit'}.`,
    '',
    '| A/B: new / base | server CPU µs/request | new ÷ base, per round: median (min–max) | added over own no-auth route, µs/request | new ÷ base, per round: median (min–max) | req/s |',
    '|---|---:|---:|---:|---:|---:|',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${pair(row.serverCpu, 1)} | ${range(row.serverCpuRatio)} | ${pair(row.added, 1)} | ${range(row.addedRatio)} | ${pair(row.rate, 0)} |`,
    )
  }
  return lines.join('\n')
}
