import { describe, expect, it } from 'vitest'
import { formatFrameworksTable } from '../src/frameworks/frameworks-table.js'
import type { LoadSummary } from '../src/load.js'
import { buildRows, formatLoadTable, type ScenarioRounds } from '../src/report.js'
import type { Scenario } from '../src/scenario.js'

/** One round at 12,000 req/s (the load generator's bound) with `cpu` µs of server CPU per request. */
const round = (cpu: number | undefined, requestsPerSecond = 12_000): LoadSummary => ({
  requestsPerSecond,
  total: requestsPerSecond * 3,
  latencyP50: 1,
  latencyP99: 2,
  statusCounts: { '200': requestsPerSecond * 3 },
  errors: 0,
  timeouts: 0,
  ...(cpu === undefined ? {} : { serverCpuPerRequest: cpu }),
})
const row = (
  id: string,
  server: Scenario['server'],
  cpu: readonly (number | undefined)[],
  extra: Partial<Scenario> = {},
): ScenarioRounds => ({
  scenario: {
    id,
    label: id,
    server,
    request: { method: 'GET', path: '/hello' },
    expectedStatus: 200,
    baseline: 'fastify-get',
    sameProcess: `fastify-get@${server}`,
    table: 'frameworks',
    ...extra,
  },
  rounds: cpu.map((value) => round(value)),
})
const reference = (server: Scenario['server'], cpu: readonly number[]): ScenarioRounds => {
  const { scenario, rounds } = row(`fastify-get@${server}`, server, cpu, { reference: true })
  const { table: _inTheLoadTable, ...untabled } = scenario
  return { scenario: untabled, rounds }
}

/** Issue #22's Fastify numbers, three rounds: the baseline at 25 µs, the plain compare +3.8, Latchkey +8.5. */
const measured = (latchkey: readonly (number | undefined)[]): ScenarioRounds[] => [
  row('fastify-get', 'fastify-baseline', [25, 26, 24], { sameProcess: 'fastify-get' }),
  reference('fastify-basic-auth', [25.2, 24.8, 26]),
  row('fastify-basic-auth', 'fastify-basic-auth', [29, 28.6, 29.8]),
  reference('fastify-latchkey', [24.9, 25.5, 25]),
  row('fastify-latchkey-basic', 'fastify-latchkey', latchkey, {
    targets: [{ against: 'fastify-basic-auth', addedCpuAtMost: 1 }],
  }),
]
const latchkeyRow = (rows: ReturnType<typeof buildRows>) => rows.find((r) => r.id === 'fastify-latchkey-basic')

describe('CPU targets', () => {
  it('measures what a row adds over its own no-auth route, round by round', () => {
    const added = latchkeyRow(buildRows(measured([33.4, 34, 33.5])))?.addedCpu
    expect(added?.median).toBeCloseTo(8.5)
    expect(added?.min).toBeCloseTo(8.5)
    expect(added?.max).toBeCloseTo(8.5)
  })

  it('misses the target when Latchkey adds twice what the plain-text compare adds', () => {
    const [target] = latchkeyRow(buildRows(measured([33.4, 34, 33.5])))?.cpuTargets ?? []
    expect(target).toMatchObject({ against: 'fastify-basic-auth', met: false, judged: true })
    expect(target?.added).toBeCloseTo(8.5)
    expect(target?.againstAdded).toBeCloseTo(3.8)
    expect(target?.ratio).toBeCloseTo(8.5 / 3.8)
  })

  it('meets the target when Latchkey adds no more than the plain-text compare', () => {
    const [target] = latchkeyRow(buildRows(measured([28.4, 29, 28.7])))?.cpuTargets ?? []
    expect(target).toMatchObject({ met: true, judged: true })
    expect(target?.ratio).toBeCloseTo(3.5 / 3.8)
  })

  it('judges by the medians, so one disturbed round does not decide', () => {
    const [target] = latchkeyRow(buildRows(measured([28.4, 29, 60])))?.cpuTargets ?? []
    expect(target).toMatchObject({ met: true, judged: true })
  })

  it('keeps the CPU targets out of the req/s targets', () => {
    const rows = buildRows(measured([33.4, 34, 33.5]))
    expect(latchkeyRow(rows)?.targets).toEqual([])
  })

  it('does not judge a target whose peer adds nothing measurable', () => {
    const rows = buildRows([
      ...measured([33.4, 34, 33.5]).filter((r) => r.scenario.id !== 'fastify-basic-auth'),
      row('fastify-basic-auth', 'fastify-basic-auth', [25, 24.5, 25.5]),
    ])
    expect(latchkeyRow(rows)?.cpuTargets[0]).toMatchObject({ judged: false })
  })

  it('does not judge a target where the server CPU could not be read', () => {
    const rows = buildRows(measured([undefined, undefined, undefined]))
    expect(latchkeyRow(rows)?.cpuTargets[0]).toMatchObject({ met: false, judged: false })
  })

  it('does not judge a row that spent less CPU than its own no-auth route, a disturbed run', () => {
    const rows = buildRows(measured([20, 21, 22]))
    expect(latchkeyRow(rows)?.implausible).toBe(true)
    expect(latchkeyRow(rows)?.cpuTargets[0]).toMatchObject({ met: true, judged: false })
    expect(formatFrameworksTable(rows)).toContain('⚠ less CPU than its own no-auth route: disturbed run')
  })

  it('does not take a frameworks row served faster than its no-auth route for a disturbed run', () => {
    const [base, ref, peer, ownRef, latchkey] = measured([33.4, 34, 33.5])
    const faster = latchkey && {
      ...latchkey,
      rounds: latchkey.rounds.map((r) => r && { ...r, requestsPerSecond: 15_000 }),
    }
    const rows = buildRows([base, ref, peer, ownRef, faster].flatMap((r) => r ?? []))
    expect(latchkeyRow(rows)?.implausible).toBe(false)
    expect(latchkeyRow(rows)?.cpuTargets[0]).toMatchObject({ met: false, judged: true })
  })

  it('judges no target in a quick run', () => {
    const rows = buildRows(measured([28.4, 29, 28.7]), { judge: false })
    expect(latchkeyRow(rows)?.cpuTargets[0]).toMatchObject({ met: true, judged: false })
  })
})

describe('formatFrameworksTable', () => {
  const rows = buildRows(measured([33.4, 34, 33.5]))
  const lines = formatFrameworksTable(rows).split('\n')

  it('prints each framework under its name, its baseline first, without the no-auth references', () => {
    expect(lines[2]).toBe('| **Fastify 5** | | | | | |')
    expect(lines[3]).toBe('| fastify-get | 12000 (12000–12000) | 25.0 | – |  |  |')
    expect(lines).toHaveLength(6)
    expect(lines.join('\n')).not.toContain('fastify-get@')
  })

  it('prints the added CPU, its ratio to the target’s and the verdict', () => {
    expect(lines[5]).toBe(
      '| fastify-latchkey-basic | 12000 (12000–12000) | 33.5 | +8.5 (+8.5 to +8.5) | 2.24 | ❌ ≤ 1 × fastify-basic-auth (+8.5 µs vs +3.8 µs) |',
    )
  })

  it('leaves the frameworks rows out of the load table and prints nothing without them', () => {
    expect(formatLoadTable(rows)).toBe('')
    expect(formatFrameworksTable(rows.filter((r) => r.table !== 'frameworks'))).toBe('')
  })
})
