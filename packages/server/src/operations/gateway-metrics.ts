import type { AuthEvent } from '@latchkey/verifier'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import type { Decision } from './decision.js'

/** Options of {@link createGatewayMetrics}. */
export interface GatewayMetricsOptions {
  /** Where the metrics are registered. Default: a registry of their own, with Node's process metrics. */
  readonly registry?: Registry
  /**
   * Label decisions and verifier events with the key id. Every key becomes its own time series, so
   * leave it off unless the keys are few. Default: `false`.
   */
  readonly perKeyLabels?: boolean
}

/** The gateway's Prometheus metrics, served on `/metrics`. */
export interface GatewayMetrics {
  readonly registry: Registry
  /** Counts one decision and its latency. */
  observeDecision(decision: Decision): void
  /** The verifier's `onEvent`: token issuance, refusals and throttle blocks, by type, outcome and code. */
  readonly onAuthEvent: (event: AuthEvent) => void
}

/**
 * The gateway's metrics, through prom-client: `latchkey_decisions_total` by proxy contract, outcome and
 * authentication method; `latchkey_decision_duration_seconds`; `latchkey_auth_events_total` from the
 * verifier (`type="token", outcome="success"` counts tokens issued; `code="ERR_TOO_MANY_ATTEMPTS"`
 * counts throttle blocks). No per-key labels unless `perKeyLabels` asks for them.
 */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = options.registry ?? ownRegistry()
  const perKey = options.perKeyLabels ?? false
  const keyLabel = perKey ? ['key_id'] : []
  const decisions = new Counter({
    name: 'latchkey_decisions_total',
    help: 'Forward-auth decisions, by proxy contract, outcome and authentication method.',
    labelNames: ['contract', 'outcome', 'method', ...keyLabel],
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'latchkey_decision_duration_seconds',
    help: 'Time from a decision request to its answer.',
    labelNames: ['contract'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const events = new Counter({
    name: 'latchkey_auth_events_total',
    help: "The verifier's authentication and token decisions, by type, outcome and error code.",
    labelNames: ['type', 'outcome', 'code', 'method', ...keyLabel],
    registers: [registry],
  })
  return {
    registry,
    observeDecision({ contract, outcome, authMethod, keyId, durationMs }) {
      const labels: Record<string, string> = { contract, outcome, method: authMethod ?? 'none' }
      if (perKey) labels.key_id = keyId ?? ''
      decisions.inc(labels)
      duration.observe({ contract }, durationMs / 1000)
    },
    onAuthEvent(event) {
      const labels: Record<string, string> = {
        type: event.type,
        outcome: event.outcome,
        code: event.code ?? '',
        method: event.method ?? '',
      }
      if (perKey) labels.key_id = event.keyId ?? ''
      events.inc(labels)
    },
  }
}

function ownRegistry(): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return registry
}
