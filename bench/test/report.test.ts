import { describe, expect, it } from 'vitest'
import type { LoadSummary } from '../src/load.js'
import { buildRows, formatLoadTable } from '../src/report.js'
import type { Scenario } from '../src/scenarios.js'

const summary = (requestsPerSecond: number, statusCounts: Record<string, number> = { '200': 100 }): LoadSummary => ({
  requestsPerSecond,
  total: 100,
  latencyP50: 1,
  latencyP99: 5,
  statusCounts,
  errors: 0,
  timeouts: 0,
})
const scenario = (id: string, extra: Partial<Scenario> = {}): Scenario => ({
  id,
  label: id,
  server: 'baseline',
  request: { method: 'GET', path: '/hello' },
  expectedStatus: 200,
  baseline: 'base',
  ...extra,
})

describe('buildRows', () => {
  const rows = buildRows([
    { scenario: scenario('base'), rounds: [summary(1000), summary(2000), summary(1500)] },
    {
      scenario: scenario('auth', { targets: [{ against: 'base', atLeast: 0.95 }] }),
      rounds: [summary(900), summary(1800), summary(1200)],
    },
  ])

  it('takes ratios round by round against the baseline', () => {
    expect(rows[1]?.ratio).toEqual({ median: 0.9, min: 0.8, max: 0.9 })
  })

  it('marks a target unmet when the median ratio is below it', () => {
    expect(rows[1]?.targets[0]?.met).toBe(false)
  })

  it('does not judge the targets of a scenario measured faster than its no-auth baseline', () => {
    const [, row] = buildRows([
      { scenario: scenario('base'), rounds: [summary(1000), summary(1000), summary(1000)] },
      {
        scenario: scenario('auth', { targets: [{ against: 'base', atLeast: 0.95 }] }),
        rounds: [summary(1300), summary(1250), summary(1200)],
      },
    ])
    expect(row?.implausible).toBe(true)
    expect(row?.targets[0]).toMatchObject({ met: true, judged: false })
    expect(formatLoadTable(row ? [row] : [])).toContain('⚠ not judged, ≥ 0.95 × base')
  })

  it('judges a scenario within noise of its baseline', () => {
    expect(rows[1]?.implausible).toBe(false)
    expect(rows[1]?.targets[0]?.judged).toBe(true)
  })

  it('counts responses with another status than expected', () => {
    const [row] = buildRows([{ scenario: scenario('base'), rounds: [summary(1000, { '200': 90, '500': 10 })] }])
    expect(row?.unexpected).toBe(10)
  })
})

describe('formatLoadTable', () => {
  it('prints one Markdown row per scenario with the median and range', () => {
    const rows = buildRows([{ scenario: scenario('base'), rounds: [summary(1000), summary(3000), summary(2000)] }])
    expect(formatLoadTable(rows).split('\n')[2]).toBe('| base | 2000 (1000–3000) | 1 | – | 1 / 5 |  |')
  })
})
