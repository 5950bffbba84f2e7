import { describe, expect, it } from 'vitest'
import { inRoundOrder, isBaseTwin, twinnedServer, withBaseTwins } from '../src/ab/base-twin-scenarios.js'
import { importedSpecifiers, latchkeyImportsOf } from '../src/ab/latchkey-imports.js'
import { readConfig } from '../src/config.js'
import { withSameProcessBaselines } from '../src/same-process-baselines.js'
import type { Scenario, ServerName } from '../src/scenario.js'

const scenario = (id: string, server: Scenario['server'], extra: Partial<Scenario> = {}): Scenario => ({
  id,
  label: id,
  server,
  request: { method: 'GET', path: '/hello' },
  expectedStatus: 200,
  baseline: 'express-get',
  ...extra,
})
const latchkeyServers = new Set<ServerName>(['latchkey-express'])
const listed = withBaseTwins(
  withSameProcessBaselines([
    scenario('express-get', 'baseline'),
    scenario('latchkey-basic', 'latchkey-express', { targets: [{ against: 'express-get', atLeast: 0.95 }] }),
    scenario('latchkey-bearer', 'latchkey-express'),
    scenario('passport-http', 'passport-http'),
    scenario('nginx-latchkey-basic', 'nginx-latchkey', { baseline: 'express-get', sameProcess: 'express-get' }),
  ]),
  (server) => latchkeyServers.has(server),
)
const byId = (id: string): Scenario | undefined => listed.find((candidate) => candidate.id === id)

describe('withBaseTwins', () => {
  it('puts each Latchkey scenario’s twin right after it, its own no-auth reference included', () => {
    expect(listed.map(({ id }) => id)).toEqual([
      'express-get',
      'express-get@latchkey-express',
      'express-get@latchkey-express@base',
      'latchkey-basic',
      'latchkey-basic@base',
      'latchkey-bearer',
      'latchkey-bearer@base',
      'express-get@passport-http',
      'passport-http',
      'nginx-latchkey-basic',
    ])
  })

  it('serves a twin by the twin of its server and divides it by the twin process’s own no-auth route', () => {
    expect(byId('latchkey-basic@base')).toMatchObject({
      server: 'latchkey-express@base',
      baseline: 'express-get',
      sameProcess: 'express-get@latchkey-express@base',
      request: { path: '/hello' },
    })
    expect(byId('express-get@latchkey-express@base')).toMatchObject({
      sameProcess: 'express-get@latchkey-express@base',
      request: { path: '/no-auth/hello' },
      reference: true,
    })
  })

  it('gives twins no targets, and leaves the original’s', () => {
    expect(byId('latchkey-basic@base')?.targets).toBeUndefined()
    expect(byId('latchkey-basic')?.targets).toHaveLength(1)
  })

  it('names twins so that the server file can be found again', () => {
    expect(isBaseTwin('latchkey-express@base')).toBe(true)
    expect(isBaseTwin('latchkey-express')).toBe(false)
    expect(twinnedServer('latchkey-express@base')).toBe('latchkey-express')
  })
})

describe('inRoundOrder', () => {
  const results = listed.map((scenario) => ({ scenario }))
  const ids = (round: number): string[] => inRoundOrder(results, round).map(({ scenario }) => scenario.id)

  it('measures A before B in even rounds and B before A in odd ones, the rest in place', () => {
    expect(ids(0)).toEqual(listed.map(({ id }) => id))
    expect(ids(1)).toEqual([
      'express-get',
      'express-get@latchkey-express@base',
      'express-get@latchkey-express',
      'latchkey-basic@base',
      'latchkey-basic',
      'latchkey-bearer@base',
      'latchkey-bearer',
      'express-get@passport-http',
      'passport-http',
      'nginx-latchkey-basic',
    ])
    expect(ids(2)).toEqual(ids(0))
  })
})

describe('latchkeyImportsOf', () => {
  it('finds runtime imports, multi-line ones and re-exports, not type-only ones', () => {
    const source = [
      "import type { Verifier } from '@latchkey/types-only'",
      'import {',
      '  createVerifier,',
      '  type VerifierOptions,',
      "} from '@latchkey/verifier'",
      "export { authenticate } from '@latchkey/verifier/express'",
      "export const note = 'from nothing'",
      "const lazy = await import('./lazy.js')",
    ].join('\n')
    expect(importedSpecifiers(source)).toEqual(['@latchkey/verifier', '@latchkey/verifier/express', './lazy.js'])
  })

  it('follows the bench’s own imports, not the fixture’s', () => {
    const files: Record<string, string> = {
      'servers/latchkey-express.ts': "import { a } from '../fixture.js'\nimport { serve } from './app.js'",
      'servers/app.ts': "import { createVerifier } from '@latchkey/verifier'",
      'servers/passport-http.ts': "import { readFixture } from '../fixture.js'",
      'fixture.ts': "import { openSqliteKeyStore } from '@latchkey/store-sqlite'",
    }
    const read = (path: string): string | undefined => files[path.split('/src/')[1] ?? '']
    expect(latchkeyImportsOf('latchkey-express', read)).toEqual(['@latchkey/verifier'])
    expect(latchkeyImportsOf('passport-http', read)).toEqual([])
  })

  it('tells the real Latchkey servers from the others', () => {
    expect(latchkeyImportsOf('latchkey-express')).toContain('@latchkey/verifier/express')
    expect(latchkeyImportsOf('latchkey-fetch')).toContain('@latchkey/verifier/fetch')
    expect(latchkeyImportsOf('baseline')).toEqual([])
    expect(latchkeyImportsOf('jose-jwt-verify')).toEqual([])
  })
})

describe('readConfig --ab', () => {
  it('takes the baseline checkout, and refuses the flag without one', () => {
    expect(readConfig(['--ab=/tmp/base'], {}).ab).toBe('/tmp/base')
    expect(readConfig([], {}).ab).toBeUndefined()
    expect(() => readConfig(['--ab'], {})).toThrow(/--ab=<dir>/)
  })
})
