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
    expect(sample(text, 'latchkey_auth_events_total', 'type="authenticate",outcome="success"')).toBe(2)
    expect(text).toContain('process_cpu_seconds_total')
    // No per-key label unless asked: one series per key would not scale.
    expect(text).not.toContain(key.id)
  })

  it('is served on a port of its own too, and nothing else is', async () => {
    expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(200)
    expect((await fetch(`${metricsUrl}/auth/nginx`)).status).toBe(404)
  })
})
