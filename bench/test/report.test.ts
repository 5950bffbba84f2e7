import { describe, expect, it } from 'vitest'
import type { LoadSummary } from '../src/load.js'
import { buildRows, formatForwardAuthTable, formatLoadTable } from '../src/report.js'
import type { Scenario } from '../src/scenario.js'

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

  it('judges a refusal faster than its baseline, as a refusal may cost less than the answer', () => {
    const [, row] = buildRows([
      { scenario: scenario('base'), rounds: [summary(1000), summary(1000), summary(1000)] },
      {
        scenario: scenario('forged', { expectedStatus: 401, targets: [{ against: 'base', atLeast: 0.9 }] }),
        rounds: [summary(1200, { '401': 100 }), summary(1200, { '401': 100 }), summary(1200, { '401': 100 })],
      },
    ])
    expect(row?.implausible).toBe(false)
    expect(row?.targets[0]).toMatchObject({ met: true, judged: true })
  })

  it('judges no target when asked not to (a quick run)', () => {
    const [, row] = buildRows(
      [
        { scenario: scenario('base'), rounds: [summary(1000)] },
        { scenario: scenario('auth', { targets: [{ against: 'base', atLeast: 0.5 }] }), rounds: [summary(900)] },
      ],
      { judge: false },
    )
    expect(row?.targets[0]).toMatchObject({ met: true, judged: false })
    expect(formatLoadTable(row ? [row] : [])).toContain('⚠ not judged')
  })

  it('judges a scenario within noise of its baseline', () => {
    expect(rows[1]?.implausible).toBe(false)
    expect(rows[1]?.targets[0]?.judged).toBe(true)
  })

  describe('a scenario served by another process than its baseline', () => {
    const own = (id: string, server: Scenario['server'], extra: Partial<Scenario> = {}): Scenario =>
      scenario(id, { server, sameProcess: `base@${server}`, ...extra })
    const same = buildRows([
      { scenario: scenario('base'), rounds: [summary(1000), summary(1000), summary(1000)] },
      {
        scenario: own('base@latchkey-express', 'latchkey-express', { reference: true }),
        rounds: [summary(1500), summary(1600), summary(1400)],
      },
      {
        scenario: own('auth', 'latchkey-express', { targets: [{ against: 'base', atLeast: 0.95 }] }),
        rounds: [summary(1350), summary(1440), summary(1260)],
      },
      {
        scenario: own('base@jose-jwt-verify', 'jose-jwt-verify', { reference: true }),
        rounds: [summary(800), summary(800), summary(800)],
      },
      { scenario: own('jose', 'jose-jwt-verify'), rounds: [summary(400), summary(400), summary(400)] },
      {
        scenario: own('auth-new', 'latchkey-express', { targets: [{ against: 'jose', atLeast: 1 }] }),
        rounds: [summary(825), summary(880), summary(770)],
      },
    ])
    const row = (id: string) => same.find((candidate) => candidate.id === id)

    it('reports both the ratio to the baseline process and to its own no-auth route', () => {
      expect(row('auth')?.ratio.median).toBeCloseTo(1.35)
      expect(row('auth')?.sameProcessRatio).toEqual({ median: 0.9, min: 0.9, max: 0.9 })
    })

    it('judges targets against its own process, so a fast process is not a disturbed run', () => {
      expect(row('auth')?.implausible).toBe(false)
      expect(row('auth')?.targets[0]).toMatchObject({ met: false, judged: true })
      expect(row('auth')?.targets[0]?.ratio.median).toBeCloseTo(0.9)
    })

    it('compares two libraries by what each adds to its own process', () => {
      // 0.55 of its own no-auth route against jose's 0.5 of its own.
      expect(row('auth-new')?.targets[0]?.ratio.median).toBeCloseTo(1.1)
      expect(row('auth-new')?.targets[0]?.met).toBe(true)
    })

    it('judges a target against its own baseline by its own no-auth route alone, not by that baseline’s ratio', () => {
      const post = buildRows([
        { scenario: scenario('base'), rounds: [summary(1000), summary(1000), summary(1000)] },
        { scenario: scenario('post', { sameProcess: 'base' }), rounds: [summary(750), summary(750), summary(750)] },
        {
          scenario: scenario('post@latchkey-express', {
            server: 'latchkey-express',
            baseline: 'post',
            sameProcess: 'post@latchkey-express',
            reference: true,
          }),
          rounds: [summary(800), summary(800), summary(800)],
        },
        {
          scenario: scenario('token', {
            server: 'latchkey-express',
            baseline: 'post',
            sameProcess: 'post@latchkey-express',
            targets: [{ against: 'post', atLeast: 0.6 }],
          }),
          rounds: [summary(480), summary(480), summary(480)],
        },
      ]).find((candidate) => candidate.id === 'token')
      // 480 ÷ 800, not (480 ÷ 800) ÷ (750 ÷ 1000).
      expect(post?.targets[0]?.ratio.median).toBeCloseTo(0.6)
    })

    it('keeps the references out of the table', () => {
      const table = formatLoadTable(same)
      expect(table).not.toContain('base@')
      expect(table).toContain('| auth |')
    })
  })

  it('counts responses with another status than expected', () => {
    const [row] = buildRows([{ scenario: scenario('base'), rounds: [summary(1000, { '200': 90, '500': 10 })] }])
    expect(row?.unexpected).toBe(10)
  })
})

describe('formatLoadTable', () => {
  it('prints one Markdown row per scenario with the median and range', () => {
    const rows = buildRows([{ scenario: scenario('base'), rounds: [summary(1000), summary(3000), summary(2000)] }])
    expect(formatLoadTable(rows).split('\n')[2]).toBe('| base | 2000 (1000–3000) | 1 | 1 | – | 1 / 5 |  |')
  })
})

describe('the forward-auth rows', () => {
  const forwardAuth = (id: string, extra: Partial<Scenario> = {}): Scenario =>
    scenario(id, { server: 'nginx-latchkey', baseline: 'nginx-no-auth', table: 'forward-auth', ...extra })
  const rows = buildRows([
    { scenario: scenario('base'), rounds: [summary(1000), summary(1000), summary(1000)] },
    {
      scenario: forwardAuth('nginx-no-auth', { server: 'nginx-no-auth', sameProcess: 'nginx-no-auth' }),
      rounds: [summary(8000), summary(9000), summary(10_000)],
    },
    {
      scenario: forwardAuth('nginx-auth-floor', { server: 'nginx-auth-floor', sameProcess: 'nginx-auth-floor' }),
      rounds: [summary(5000), summary(6000), summary(4000)],
    },
    {
      scenario: forwardAuth('nginx-latchkey-basic', {
        sameProcess: 'nginx-auth-floor',
        targets: [{ against: 'nginx-auth-floor', atLeast: 0.9 }],
      }),
      rounds: [summary(4600), summary(5100), summary(3800)],
    },
  ])
  const row = (id: string) => rows.find((candidate) => candidate.id === id)

  it('judges Latchkey by its rate over the floor’s, round by round', () => {
    expect(row('nginx-latchkey-basic')?.targets[0]).toMatchObject({ met: true, judged: true })
    expect(row('nginx-latchkey-basic')?.targets[0]?.ratio).toEqual({ median: 0.92, min: 0.85, max: 0.95 })
    expect(row('nginx-latchkey-basic')?.ratio.median).toBeCloseTo(0.5667, 3)
  })

  it('prints them in their own table, out of the load table', () => {
    expect(formatLoadTable(rows)).not.toContain('nginx')
    const lines = formatForwardAuthTable(rows).split('\n')
    expect(lines).toHaveLength(5)
    expect(lines[2]).toBe('| nginx-no-auth | 9000 (8000–10000) | 1 | – | – | 1 / 5 |  |')
    expect(lines[3]).toBe('| nginx-auth-floor | 5000 (4000–6000) | 0.63 (0.40–0.67) | 1 | – | 1 / 5 |  |')
    expect(lines[4]).toContain('| 0.92 (0.85–0.95) | – | 1 / 5 | ✅ ≥ 0.9 × nginx-auth-floor: 0.92 (0.85–0.95) |')
  })

  it('flags a Latchkey row faster than the floor as a disturbed run', () => {
    const [, , fast] = buildRows([
      { scenario: forwardAuth('nginx-no-auth', { sameProcess: 'nginx-no-auth' }), rounds: [summary(9000)] },
      { scenario: forwardAuth('nginx-auth-floor', { sameProcess: 'nginx-auth-floor' }), rounds: [summary(5000)] },
      {
        scenario: forwardAuth('nginx-latchkey-basic', {
          sameProcess: 'nginx-auth-floor',
          targets: [{ against: 'nginx-auth-floor', atLeast: 0.9 }],
        }),
        rounds: [summary(6000)],
      },
    ])
    expect(fast?.targets[0]).toMatchObject({ met: true, judged: false })
    expect(formatForwardAuthTable(fast ? [fast] : [])).toContain('⚠ faster than the always-200 floor: disturbed run')
  })

  it('prints no forward-auth table without its rows', () => {
    expect(formatForwardAuthTable(rows.filter((candidate) => candidate.table === 'load'))).toBe('')
  })
})
