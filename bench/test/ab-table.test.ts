import { describe, expect, it } from 'vitest'
import { buildAbRows, formatAbTable } from '../src/ab/ab-table.js'
import type { LoadSummary } from '../src/load.js'
import type { Scenario } from '../src/scenario.js'

const round = (serverCpuPerRequest: number, requestsPerSecond = 1000): LoadSummary => ({
  requestsPerSecond,
  total: 1000,
  latencyP50: 1,
  latencyP99: 5,
  statusCounts: { '200': 1000 },
  errors: 0,
  timeouts: 0,
  serverCpuPerRequest,
})
const scenario = (id: string, sameProcess: string, server: Scenario['server'] = 'latchkey-express'): Scenario => ({
  id,
  label: id,
  server,
  request: { method: 'GET', path: '/hello' },
  expectedStatus: 200,
  baseline: 'express-get',
  sameProcess,
})
const reference = 'express-get@latchkey-express'
const twinReference = `${reference}@base`
const rows = buildAbRows([
  { scenario: scenario('express-get', 'express-get', 'baseline'), rounds: [round(60), round(60), round(60)] },
  { scenario: scenario(reference, reference), rounds: [round(50), round(52), round(48)] },
  {
    scenario: scenario(twinReference, twinReference, 'latchkey-express@base'),
    rounds: [round(40), round(40), round(40)],
  },
  // new adds 10, 8 and 12 µs over its no-auth route; base adds 20, 16 and 12.
  { scenario: scenario('latchkey-basic', reference), rounds: [round(60, 900), undefined, round(60, 1100)] },
  {
    scenario: scenario('latchkey-basic@base', twinReference, 'latchkey-express@base'),
    rounds: [round(60, 800), round(56), round(52, 1000)],
  },
])

describe('buildAbRows', () => {
  it('makes one row per scenario measured with its twin', () => {
    expect(rows.map((row) => row.id)).toEqual([reference, 'latchkey-basic'])
  })

  it('takes new ÷ base server CPU round by round, skipping a round either side missed', () => {
    const basic = rows[1]
    expect(basic?.serverCpu).toEqual({ new: 60, base: 56 })
    expect(basic?.serverCpuRatio.median).toBeCloseTo((1 + 60 / 52) / 2)
    expect(basic?.serverCpuRatio.min).toBe(1)
    expect(basic?.serverCpuRatio.max).toBeCloseTo(60 / 52)
  })

  it('divides what each build adds over its own process’s no-auth route, round by round', () => {
    const basic = rows[1]
    expect(basic?.added).toEqual({ new: 11, base: 16 })
    expect(basic?.addedRatio).toEqual({ median: 0.75, min: 0.5, max: 1 })
    expect(basic?.rate).toEqual({ new: 1000, base: 1000 })
  })

  it('adds nothing for a no-auth route itself', () => {
    expect(rows[0]?.added.new).toBeNaN()
    expect(rows[0]?.serverCpuRatio.median).toBeCloseTo(1.25)
  })
})

describe('formatAbTable', () => {
  it('prints each build’s figures and the ratios with their range', () => {
    const table = formatAbTable(rows, { directory: '/tmp/base', commit: 'abc1234' })
    expect(table.split('\n')[0]).toBe('A/B: new is this checkout, base is /tmp/base at abc1234.')
    expect(table).toContain(
      '| latchkey-basic | 60.0 / 56.0 | 1.08 (1.00–1.15) | 11.0 / 16.0 | 0.75 (0.50–1.00) | 1000 / 1000 |',
    )
    expect(table).toContain(`| ${reference} | 50.0 / 40.0 | 1.25 (1.20–1.30) | – / – | – | 1000 / 1000 |`)
  })

  it('is empty without twins', () => {
    expect(formatAbTable([], { directory: '/tmp/base', commit: undefined })).toBe('')
  })
})
