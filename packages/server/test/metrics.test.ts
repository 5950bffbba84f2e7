import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createVerifier, MemoryKeyStore, type Verifier } from '@latchkey/verifier'
import { createKeyManager } from '@latchkey/verifier/manage'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGatewayListener, createGatewayMetrics, createMetricsServer } from '../src/index.js'
import { basic } from './gateway.js'

const store = new MemoryKeyStore()
const metrics = createGatewayMetrics()
let verifier: Verifier
let server: Server
let metricsServer: Server
let url = ''
let metricsUrl = ''

const listen = async (listening: Server) => {
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`
}

beforeAll(async () => {
  verifier = createVerifier({ store, issuer: 'https://gateway.test', onEvent: metrics.onAuthEvent })
  server = createServer(
    createGatewayListener({
      verifier,
      store,
      metrics,
      rules: [{ method: 'GET', path: '/public/*', auth: { kind: 'none' } }],
    }),
  )
  metricsServer = createMetricsServer(metrics)
  url = await listen(server)
  metricsUrl = await listen(metricsServer)
})

afterAll(async () => {
  await Promise.all([server, metricsServer].map((open) => new Promise((resolve) => open.close(resolve))))
  await verifier.close?.()
})

/** The value of the sample `name{labels}` in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(labels))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('/metrics', () => {
  it('counts decisions by contract, outcome and method, and the verifier events, in the Prometheus text format', async () => {
    const manager = createKeyManager(store)
    const account = await manager.createAccount({ name: 'Acme' })
    const key = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    const ask = (path: string, headers: Record<string, string>) => fetch(`${url}${path}`, { headers })
    await ask('/auth/traefik', { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/a', authorization: basic(key) })
    await ask('/auth/traefik', { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/a', authorization: basic(key) })
    await ask('/auth/nginx', { 'x-original-method': 'GET', 'x-original-uri': '/a' })
    await ask('/auth/nginx', { 'x-original-method': 'GET', 'x-original-uri': '/public/x' })
    await ask('/auth/caddy', { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/a%2Fb' })

    const response = await fetch(`${url}/metrics`)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    const decisions = 'latchkey_decisions_total'
    expect(sample(text, decisions, 'contract="traefik",outcome="allowed",method="basic"')).toBe(2)
    expect(sample(text, decisions, 'contract="nginx",outcome="refused",method="none"')).toBe(1)
    expect(sample(text, decisions, 'contract="nginx",outcome="public",method="none"')).toBe(1)
    expect(sample(text, decisions, 'contract="caddy",outcome="bad_request",method="none"')).toBe(1)
    expect(sample(text, 'latchkey_decision_duration_seconds_count', 'contract="traefik"')).toBe(2)
    // A histogram: cumulative buckets ending in +Inf at the count, and the sum of the durations.
    expect(text).toContain('# TYPE latchkey_decision_duration_seconds histogram')
    const buckets = text
      .split('\n')
      .filter((line) => line.startsWith('latchkey_decision_duration_seconds_bucket{') && line.includes('"traefik"'))
      .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)))
    expect(buckets).toHaveLength(13)
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
    expect(sample(text, 'latchkey_decision_duration_seconds_bucket', 'le="+Inf",contract="traefik"')).toBe(2)
    expect(sample(text, 'latchkey_decision_duration_seconds_sum', 'contract="traefik"')).toBeGreaterThan(0)
    expect(sample(text, 'latchkey_auth_events_total', 'type="authenticate",outcome="success"')).toBe(2)
    expect(text).toContain('process_cpu_seconds_total')
    // No per-key label unless asked: one series per key would not scale.
    expect(text).not.toContain(key.id)

    // A second scrape adds what happened since, and counts nothing twice.
    await ask('/auth/traefik', { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/a', authorization: basic(key) })
    const again = await (await fetch(`${url}/metrics`)).text()
    expect(sample(again, decisions, 'contract="traefik",outcome="allowed",method="basic"')).toBe(3)
    expect(sample(again, 'latchkey_auth_events_total', 'type="authenticate",outcome="success"')).toBe(3)
    expect(sample(again, 'latchkey_decision_duration_seconds_count', 'contract="traefik"')).toBe(3)
  })

  it('is served on a port of its own too, and nothing else is', async () => {
    expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(200)
    expect((await fetch(`${metricsUrl}/auth/nginx`)).status).toBe(404)
  })
})

describe('createGatewayMetrics', () => {
  it('labels decisions and events with the key id only when perKeyLabels asks for it', async () => {
    for (const perKeyLabels of [true, false]) {
      const perKey = createGatewayMetrics({ perKeyLabels })
      const decision = {
        contract: 'nginx',
        status: 200,
        outcome: 'allowed',
        authMethod: 'basic',
        keyId: 'key_1',
      } as const
      perKey.observeDecision({ ...decision, durationMs: 0.2 })
      perKey.observeDecision({ ...decision, durationMs: 0.4 })
      perKey.onAuthEvent({
        type: 'authenticate',
        outcome: 'success',
        method: 'basic',
        keyId: 'key_1',
        at: new Date(),
        durationMs: 0.1,
      })
      const text = await perKey.registry.metrics()
      const keyLabel = perKeyLabels ? ',key_id="key_1"' : ''
      expect(text).toContain(`latchkey_decisions_total{contract="nginx",outcome="allowed",method="basic"${keyLabel}} 2`)
      expect(text).toContain(
        `latchkey_auth_events_total{type="authenticate",outcome="success",code="",method="basic"${keyLabel}} 1`,
      )
      expect(text.includes('key_1')).toBe(perKeyLabels)
    }
  })
})
