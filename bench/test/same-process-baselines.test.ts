import { describe, expect, it } from 'vitest'
import { isForwardAuthStack } from '../src/forward-auth/stack-names.js'
import { withSameProcessBaselines } from '../src/same-process-baselines.js'
import type { Scenario } from '../src/scenario.js'
import { scenarios } from '../src/scenarios.js'

const all = withSameProcessBaselines(
  scenarios({
    keyId: 'id',
    secret: 'secret',
    wrongSecret: 'wrong',
    token: 'token',
    forgedToken: 'forged',
    opaqueToken: 'opaque',
    limitedKeys: {
      accountId: 'account',
      rateLimited: { keyId: 'limited', secret: 'limited-secret' },
      credits: { keyId: 'metered', secret: 'metered-secret' },
    },
  }),
)
const byId = (id: string): Scenario | undefined => all.find((scenario) => scenario.id === id)

describe('withSameProcessBaselines', () => {
  it('adds one no-auth reference per baseline and process, at the prefixed path, before its first user', () => {
    const reference = byId('express-get@latchkey-express')
    expect(reference).toMatchObject({
      server: 'latchkey-express',
      request: { method: 'GET', path: '/no-auth/hello' },
      expectedStatus: 200,
      reference: true,
    })
    expect(all.filter((scenario) => scenario.id === 'express-get@latchkey-express')).toHaveLength(1)
    expect(all.indexOf(reference as Scenario)).toBe(all.findIndex((scenario) => scenario.id === 'latchkey-basic') - 1)
  })

  it('points each scenario at the reference of its own process', () => {
    expect(byId('latchkey-basic')?.sameProcess).toBe('express-get@latchkey-express')
    expect(byId('latchkey-token')?.sameProcess).toBe('express-post@latchkey-express')
    expect(byId('fetch-token')?.sameProcess).toBe('node-post@latchkey-fetch')
    expect(byId('oidc-provider-token')).toMatchObject({ sameProcess: 'express-post@oidc-provider' })
    expect(byId('express-post@oidc-provider')?.request.path).toBe('/no-auth/oauth/token')
  })

  it('leaves a scenario served by its baseline’s process with that baseline', () => {
    expect(byId('express-post')?.sameProcess).toBe('express-get')
    expect(byId('express-get')?.sameProcess).toBe('express-get')
    expect(all.some((scenario) => scenario.id.startsWith('express-get@baseline'))).toBe(false)
  })

  it('gives every server but the baselines and the forward-auth stacks a reference', () => {
    const servers = new Set(all.filter((scenario) => scenario.reference).map((scenario) => scenario.server))
    expect([...servers].sort()).toEqual(
      [...new Set(all.map((scenario) => scenario.server))]
        .filter((server) => !server.endsWith('baseline') && !isForwardAuthStack(server))
        .sort(),
    )
  })

  it('keeps the forward-auth rows against their always-200 floor, adding no reference for them', () => {
    expect(byId('nginx-latchkey-basic')).toMatchObject({ baseline: 'nginx-no-auth', sameProcess: 'nginx-auth-floor' })
    expect(byId('nginx-latchkey-bearer-reused')?.sameProcess).toBe('nginx-auth-floor')
    expect(all.some((scenario) => scenario.reference && isForwardAuthStack(scenario.server))).toBe(false)
  })
})
