import type { IncomingMessage, RequestListener } from 'node:http'
import type { HttpAnswer, KeyStore, Verifier } from '@latchkey/verifier'
import { oauthRoutes } from '@latchkey/verifier/node'
import { decide } from '../forward-auth/decide.js'
import { envoyContract, PROXY_CONTRACTS, type ProxyContract } from '../forward-auth/proxy-contract.js'
import { INTROSPECTION_PATH, introspect } from '../oauth/introspection.js'
import { type Decision, decisionOf } from '../operations/decision.js'
import type { GatewayMetrics } from '../operations/gateway-metrics.js'
import { serveMetrics } from '../operations/metrics-endpoint.js'
import type { RouteRule } from '../routes/route-rules.js'
import { alive, notFound, notReady, ready, unreadableRefusal } from './gateway-answers.js'
import { readCarriedRefusal } from './nginx-refusal.js'
import { writeAnswer } from './write-answer.js'

/** Options of {@link createGatewayListener}. */
export interface GatewayListenerOptions {
  /** Decides every request; make it with the proxies as `trustedProxies` (default of `latchkey serve`: loopback). */
  readonly verifier: Verifier
  /** The store `/readyz` checks. */
  readonly store: KeyStore
  /** Route rules, first match wins. Default: none, every request needs valid credentials. */
  readonly rules?: readonly RouteRule[]
  /** How long `/readyz` waits for the store, in ms. Default: 2000. */
  readonly readyTimeout?: number
  /** Counts every decision; served on `/metrics` unless `metricsPath` is `false`. Default: none. */
  readonly metrics?: GatewayMetrics
  /** `false` when `/metrics` is served elsewhere (`latchkey serve --metrics-port`). Default: `'/metrics'`. */
  readonly metricsPath?: '/metrics' | false
  /**
   * Called with every decision once answered, after `metrics` counted it: for an access log (`latchkey
   * serve --access-log`). It must not throw. Default: none.
   */
  readonly onDecision?: (decision: Decision) => void
  /** `false` turns token introspection (RFC 7662) off. Default: `'/oauth/introspect'`. */
  readonly introspectionPath?: '/oauth/introspect' | false
}

/**
 * The request listener of `latchkey serve`: the forward-auth decision endpoints (`/auth/nginx`,
 * `/auth/traefik`, `/auth/caddy`, `/auth/envoy/…`), the verifier's token endpoint, JWKS and metadata,
 * token introspection (`/oauth/introspect`), and `/healthz` and `/readyz`.
 */
export function createGatewayListener(options: GatewayListenerOptions): RequestListener {
  const { verifier, store, rules = [], readyTimeout = 2000, metrics, metricsPath = '/metrics', onDecision } = options
  const endpoints = oauthRoutes(verifier)
  const introspectionPath = options.introspectionPath ?? INTROSPECTION_PATH
  if (introspectionPath && !verifier.authenticateClient) {
    throw new TypeError('Token introspection needs a verifier with authenticateClient: make it with createVerifier.')
  }
  return (req, res) => {
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    const contract = contractFor(path)
    if (contract) {
      const observed = metrics !== undefined || onDecision !== undefined
      const started = observed ? performance.now() : 0
      const answer = decide(verifier, rules, contract, req, url)
      if (!observed) return writeAnswer(res, answer)
      const counted = (settled: HttpAnswer) => {
        const decision = decisionOf(contract.name, settled, performance.now() - started)
        metrics?.observeDecision(decision)
        onDecision?.(decision)
        return settled
      }
      return writeAnswer(res, answer instanceof Promise ? answer.then(counted) : counted(answer))
    }
    if (metrics && metricsPath && path === metricsPath) return serveMetrics(metrics, res)
    if (path === '/auth/nginx/refusal')
      return writeAnswer(res, readCarriedRefusal(header(req, 'x-latchkey-refusal')) ?? unreadableRefusal())
    if (introspectionPath && path === introspectionPath) return writeAnswer(res, introspect(verifier, req, url))
    if (path === '/healthz') return writeAnswer(res, alive())
    if (path === '/readyz') return writeAnswer(res, readiness(store, readyTimeout))
    endpoints(req, res, () => writeAnswer(res, notFound()))
  }
}

/** The contracts whose decision path is exact, by path; Envoy's is a prefix. */
const exactContracts = new Map(
  PROXY_CONTRACTS.filter((contract) => contract !== envoyContract).map((contract) => [contract.path, contract]),
)
const envoyPrefix = `${envoyContract.path}/`

function contractFor(path: string): ProxyContract | undefined {
  const exact = exactContracts.get(path)
  if (exact !== undefined) return exact
  return path === envoyContract.path || path.startsWith(envoyPrefix) ? envoyContract : undefined
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return typeof value === 'string' ? value : undefined
}

async function readiness(store: KeyStore, timeout: number): Promise<HttpAnswer> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(reject, timeout)
  })
  try {
    await Promise.race([Promise.resolve(store.listSigningKeys()), late])
    return ready()
  } catch {
    return notReady()
  } finally {
    clearTimeout(timer)
  }
}
