import { describe, expect, it } from 'vitest'
import { defaultRunIds, frameworks } from '../src/frameworks/framework-scenarios.js'
import { withSameProcessBaselines } from '../src/same-process-baselines.js'
import type { Credentials } from '../src/scenario.js'
import { scenarios } from '../src/scenarios.js'

const key = { keyId: 'lk_id', secret: 'lksecret_x' }
const credentials: Credentials = {
  ...key,
  wrongSecret: 'lksecret_y',
  token: 'a.b.c',
  forgedToken: 'a.b.d',
  opaqueToken: 'opaque',
  limitedKeys: { accountId: 'acc_id', rateLimited: key, credits: key },
}
const all = withSameProcessBaselines(scenarios(credentials))
const byId = new Map(all.map((scenario) => [scenario.id, scenario]))

describe('the frameworks rows', () => {
  it('run with --frameworks alone, and never in the default run', () => {
    const frameworksRun = defaultRunIds(all, true)
    const defaultRun = defaultRunIds(all, false)
    expect(frameworksRun).toContain('fastify-latchkey-basic')
    expect(frameworksRun).not.toContain('latchkey-basic')
    expect(defaultRun).toContain('latchkey-basic')
    expect(defaultRun.filter((id) => byId.get(id)?.table === 'frameworks')).toEqual([])
    expect([...frameworksRun, ...defaultRun].filter((id) => byId.get(id)?.reference)).toEqual([])
  })

  it('are each measured against a framework baseline, and judged against rows that exist', () => {
    const baselines = frameworks.flatMap((framework) => framework.baselines)
    for (const scenario of all.filter((candidate) => candidate.table === 'frameworks')) {
      expect(baselines).toContain(scenario.baseline)
      for (const target of scenario.targets ?? []) expect(byId.has(target.against)).toBe(true)
    }
  })

  it('judge every Latchkey Basic and Bearer row on the CPU it adds, beside a plain compare in its process', () => {
    for (const framework of ['fastify', 'node', 'hono']) {
      const plain = byId.get(`${framework}-latchkey-plain-compare`)
      expect(plain?.server).toBe(byId.get(`${framework}-latchkey-basic`)?.server)
      expect(plain?.request.path).toBe('/plain/hello')
      expect(byId.get(`${framework}-latchkey-basic`)?.targets).toEqual([
        { against: `${framework}-latchkey-plain-compare`, addedCpuAtMost: 1 },
      ])
      expect(byId.get(`${framework}-latchkey-bearer-reused`)?.targets).toEqual([
        { against: `${framework}-latchkey-plain-compare`, addedCpuAtMost: 1 },
      ])
      expect(byId.get(`${framework}-latchkey-bearer-new`)?.targets).toEqual([
        { against: 'fast-jwt-verify', addedCpuAtMost: 1.2 },
      ])
    }
  })
})
