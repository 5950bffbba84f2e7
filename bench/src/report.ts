import type { LoadSummary } from './load.js'
import { addedCpu, type CpuTargetCheck, checkCpuTarget, cpuPerRound, isCpuTarget } from './report/cpu-targets.js'
import type { RateTarget, Scenario } from './scenario.js'
import { pairedRatios, type Spread, spread } from './stats.js'

/** One scenario's measurements: one summary per round, `undefined` where a round failed. */
export interface ScenarioRounds {
  readonly scenario: Scenario
  readonly rounds: readonly (LoadSummary | undefined)[]
}

/** A target on req/s from the issue, checked against the same run. */
export interface TargetCheck extends RateTarget {
  readonly ratio: Spread
  readonly met: boolean
  /** `false` when this row or the one it is measured against is {@link ReportRow.implausible}. */
  readonly judged: boolean
}

/**
 * A scenario that does more than its no-auth baseline, and answers the same, cannot serve more requests
 * than it beyond noise: a median ratio above this, against the no-auth route of its own process, means
 * the run measured something else, and its targets are not judged.
 */
export const implausibleRatio = 1.1

/** One line of the table. */
export interface ReportRow {
  readonly id: string
  readonly label: string
  readonly rate: Spread
  /** × the scenario's baseline (another process, unless it is the baseline's), per round, then median and range. */
  readonly ratio: Spread
  readonly baseline: string
  /**
   * × the same no-auth request answered by the scenario's own process, per round, then median and range;
   * for a forward-auth row, × the always-200 floor.
   */
  readonly sameProcessRatio: Spread
  /** What `sameProcessRatio` is against. */
  readonly sameProcess: string
  /** The table the row is printed in. */
  readonly table: 'load' | 'forward-auth' | 'frameworks'
  /** A no-auth reference measured only to divide by: in the JSON, not in the table. */
  readonly reference: boolean
  readonly latencyP50: number
  readonly latencyP99: number
  /** Server CPU µs per request, per round, then median and range (`NaN` where it could not be read). */
  readonly serverCpu: Spread
  /**
   * Server CPU µs per request over the `sameProcess` reference's, round by round, then median and range:
   * what the authentication adds (0 for a baseline itself).
   */
  readonly addedCpu: Spread
  /** Responses with another status than expected, connection errors and timeouts, over all rounds. */
  readonly unexpected: number
  /**
   * Faster than its own process's no-auth route by more than {@link implausibleRatio}, while answering
   * as that route does (a forward-auth row: faster than the always-200 floor; a frameworks row: less
   * server CPU per request by more than that factor): the run is disturbed for this row. A refusal may be cheaper than the route's answer, so a scenario expecting another status
   * than its baseline is never flagged.
   */
  readonly implausible: boolean
  readonly targets: readonly TargetCheck[]
  /** The targets on added server CPU ({@link CpuTargetCheck}), where the load generator bounds req/s. */
  readonly cpuTargets: readonly CpuTargetCheck[]
}

const rateOf = (rounds: readonly (LoadSummary | undefined)[]): number[] =>
  rounds.map((round) => round?.requestsPerSecond ?? Number.NaN)

/**
 * Rates, ratios against same-round references, and targets for every scenario. A target against another
 * scenario compares what each adds to its own process's no-auth route: (this ÷ its no-auth route) ÷
 * (that ÷ its no-auth route), round by round; against the scenario's own baseline it is this ÷ its own
 * no-auth route (the same request as that baseline), whatever that baseline's ratio to the first one;
 * against the scenario's `sameProcess` itself (a forward-auth row against its floor) it is this ÷ that.
 */
export function buildRows(results: readonly ScenarioRounds[], { judge = true }: { judge?: boolean } = {}): ReportRow[] {
  const byId = new Map(results.map((result) => [result.scenario.id, rateOf(result.rounds)]))
  const scenarios = new Map(results.map(({ scenario }) => [scenario.id, scenario]))
  const ratioTo = (rates: number[], reference: string): Spread => spread(pairedRatios(rates, byId.get(reference) ?? []))
  /** Per round: this scenario's rate ÷ its own process's no-auth rate (1 for a baseline itself). */
  const sameProcessOf = (id: string): string => scenarios.get(id)?.sameProcess ?? scenarios.get(id)?.baseline ?? id
  const ownRatios = (id: string): number[] => pairedRatios(byId.get(id) ?? [], byId.get(sameProcessOf(id)) ?? [])
  const cpuById = new Map(results.map((result) => [result.scenario.id, cpuPerRound(result.rounds)]))
  const addedCpuOf = (id: string): Spread => addedCpu(cpuById.get(id) ?? [], cpuById.get(sameProcessOf(id)) ?? [])
  /** Per round: its own no-auth route's server CPU per request ÷ this scenario's (above 1: this one spent less). */
  const ownCpuSavings = (id: string): number[] =>
    pairedRatios(cpuById.get(sameProcessOf(id)) ?? [], cpuById.get(id) ?? [])
  const implausible = new Set(
    results
      .filter(
        ({ scenario }) =>
          !scenario.reference &&
          scenario.expectedStatus === scenarios.get(scenario.baseline)?.expectedStatus &&
          // The frameworks rows' req/s is the load generator's, so only their CPU can be implausible.
          spread(scenario.table === 'frameworks' ? ownCpuSavings(scenario.id) : ownRatios(scenario.id)).median >
            implausibleRatio,
      )
      .map(({ scenario }) => scenario.id),
  )
  return results.map(({ scenario, rounds }) => {
    const rates = rateOf(rounds)
    const measured = rounds.filter((round): round is LoadSummary => round !== undefined)
    const unexpected = measured.reduce((sum, round) => {
      const expected = round.statusCounts[String(scenario.expectedStatus)] ?? 0
      const answered = Object.values(round.statusCounts).reduce((total, count) => total + count, 0)
      return sum + (answered - expected) + round.errors + round.timeouts
    }, 0)
    return {
      id: scenario.id,
      label: scenario.label,
      rate: spread(rates.filter(Number.isFinite)),
      ratio: ratioTo(rates, scenario.baseline),
      baseline: scenario.baseline,
      sameProcessRatio: spread(ownRatios(scenario.id)),
      sameProcess: sameProcessOf(scenario.id),
      table: scenario.table ?? 'load',
      reference: scenario.reference === true,
      latencyP50: spread(measured.map((round) => round.latencyP50)).median,
      latencyP99: spread(measured.map((round) => round.latencyP99)).median,
      serverCpu: spread(
        measured.map((round) => round.serverCpuPerRequest ?? Number.NaN).filter((value) => Number.isFinite(value)),
      ),
      addedCpu: addedCpuOf(scenario.id),
      unexpected,
      implausible: implausible.has(scenario.id),
      targets: (scenario.targets ?? []).flatMap((target) => {
        if (isCpuTarget(target)) return []
        const ratio = spread(
          target.against === scenario.baseline || target.against === scenario.sameProcess
            ? ownRatios(scenario.id)
            : pairedRatios(ownRatios(scenario.id), ownRatios(target.against)),
        )
        const judged = judge && !implausible.has(scenario.id) && !implausible.has(target.against)
        return [{ ...target, ratio, met: ratio.median >= target.atLeast, judged }]
      }),
      cpuTargets: (scenario.targets ?? []).filter(isCpuTarget).map((target) => {
        const disturbed = implausible.has(scenario.id) || implausible.has(target.against)
        const check = checkCpuTarget(target, addedCpuOf(scenario.id), addedCpuOf(target.against), { judge })
        return disturbed ? { ...check, judged: false } : check
      }),
    }
  })
}

/** `value` with `digits` decimals, or `–` where it is unknown. */
export const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '–')
/** A spread as a table cell: `median (min–max)`. */
export const range = ({ median, min, max }: Spread, digits: number): string =>
  `${fixed(median, digits)} (${fixed(min, digits)}–${fixed(max, digits)})`

/** The load table as GitHub Markdown, ready to paste into docs/performance.md; empty without its rows. */
export function formatLoadTable(rows: readonly ReportRow[]): string {
  if (!rows.some((row) => row.table === 'load' && !row.reference)) return ''
  const lines = [
    '| Scenario | req/s, median (min–max) | × baseline process, median (min–max) | × own process, no auth, median (min–max) | server CPU µs/request | p50 / p99 ms | Target |',
    '|---|---:|---:|---:|---:|---:|---|',
  ]
  for (const row of rows) {
    if (row.reference || row.table !== 'load') continue
    const isBaseline = row.id === row.baseline
    lines.push(
      `| ${row.label}${warningsOf(row, 'faster than its own no-auth route')} | ${range(row.rate, 0)} | ${isBaseline ? '1' : range(row.ratio, 2)} | ${isBaseline ? '1' : range(row.sameProcessRatio, 2)} | ${fixed(row.serverCpu.median, 0)} | ${fixed(row.latencyP50, 0)} / ${fixed(row.latencyP99, 0)} | ${formatTargets(row.targets)} |`,
    )
  }
  return lines.join('\n')
}

/**
 * The forward-auth rows as a Markdown table: nginx without authentication, the always-200 floor, and
 * Latchkey, with each row's ratios to the first two measured in the same round. Empty without them.
 */
export function formatForwardAuthTable(rows: readonly ReportRow[]): string {
  const measured = rows.filter((row) => row.table === 'forward-auth')
  if (measured.length === 0) return ''
  const lines = [
    '| Forward auth | req/s, median (min–max) | × nginx, no auth, median (min–max) | × always-200 floor, median (min–max) | CPU µs/request, nginx + auth + backend | p50 / p99 ms | Target |',
    '|---|---:|---:|---:|---:|---:|---|',
  ]
  for (const row of measured) {
    const isBaseline = row.id === row.baseline
    const floor = isBaseline ? '–' : row.sameProcess === row.id ? '1' : range(row.sameProcessRatio, 2)
    lines.push(
      `| ${row.label}${warningsOf(row, 'faster than the always-200 floor')} | ${range(row.rate, 0)} | ${isBaseline ? '1' : range(row.ratio, 2)} | ${floor} | ${fixed(row.serverCpu.median, 0)} | ${fixed(row.latencyP50, 0)} / ${fixed(row.latencyP99, 0)} | ${formatTargets(row.targets)} |`,
    )
  }
  return lines.join('\n')
}

/** What follows a row's label when its run needs a warning: unexpected answers, or `disturbed` (what it did that it cannot). */
export function warningsOf(row: ReportRow, disturbed: string): string {
  return (
    (row.unexpected > 0 ? ` ⚠ ${row.unexpected} unexpected responses` : '') +
    (row.implausible ? ` ⚠ ${disturbed}: disturbed run` : '')
  )
}

function formatTargets(targets: readonly TargetCheck[]): string {
  return targets
    .map(
      (target) =>
        `${target.judged ? (target.met ? '✅' : '❌') : '⚠ not judged,'} ≥ ${target.atLeast} × ${target.against}: ${range(target.ratio, 2)}`,
    )
    .join('<br>')
}

/** One in-process micro-benchmark's result, in nanoseconds per call. */
export interface MicroResult {
  readonly group: string
  readonly name: string
  readonly avg: number
  readonly p50: number
  readonly p99: number
  readonly min: number
  readonly max: number
}

const time = (nanoseconds: number): string =>
  nanoseconds >= 1e6
    ? `${(nanoseconds / 1e6).toFixed(2)} ms`
    : nanoseconds >= 1e3
      ? `${(nanoseconds / 1e3).toFixed(1)} µs`
      : `${nanoseconds.toFixed(0)} ns`

/** The micro-benchmarks as a Markdown table. */
export function formatMicroTable(results: readonly MicroResult[]): string {
  const lines = ['| Group | Benchmark | avg | p50 | p99 | min–max |', '|---|---|---:|---:|---:|---:|']
  for (const result of results) {
    lines.push(
      `| ${result.group} | ${result.name} | ${time(result.avg)} | ${time(result.p50)} | ${time(result.p99)} | ${time(result.min)}–${time(result.max)} |`,
    )
  }
  return lines.join('\n')
}

/**
 * The client target: `client.fetch` p50 over plain `fetch` p50, per alternating round, then the
 * median. `undefined` when the client benchmarks did not run.
 */
export function clientOverhead(results: readonly MicroResult[]): string | undefined {
  const p50s = (prefix: string): number[] =>
    results.filter((result) => result.name.startsWith(prefix)).map((result) => result.p50)
  const ratios = pairedRatios(p50s('client.fetch, cached token'), p50s('plain fetch'))
  if (ratios.length === 0) return undefined
  const { median } = spread(ratios)
  const met = median <= 1.05
  return `${met ? '✅' : '❌'} client.fetch (cached token) p50 ÷ plain fetch p50: ${fixed(median, 2)} (rounds: ${ratios.map((ratio) => fixed(ratio, 2)).join(', ')}); target ≤ 1.05`
}
