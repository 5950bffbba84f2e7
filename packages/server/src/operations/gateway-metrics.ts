import type { AuthEvent } from '@latchkey/verifier'
import { Counter, collectDefaultMetrics, Registry } from 'prom-client'
import type { Decision } from './decision.js'
import { createDecisionDurations } from './decision-durations.js'

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
  // Counted in tallies and added to prom-client's counters when they are collected (a scrape): its
  // `inc` checks and hashes a label object each time, on a path every decision takes.
  const decisions = tallied(
    new Counter({
      name: 'latchkey_decisions_total',
      help: 'Forward-auth decisions, by proxy contract, outcome and authentication method.',
      labelNames: ['contract', 'outcome', 'method', ...keyLabel],
      registers: [registry],
      collect: () => decisions.flush(),
    }),
  )
  const events = tallied(
    new Counter({
      name: 'latchkey_auth_events_total',
      help: "The verifier's authentication and token decisions, by type, outcome and error code.",
      labelNames: ['type', 'outcome', 'code', 'method', ...keyLabel],
      registers: [registry],
      collect: () => events.flush(),
    }),
  )
  const observeDuration = createDecisionDurations(registry)
  return {
    registry,
    observeDecision({ contract, outcome, authMethod, keyId, durationMs }) {
      const labels = `${contract}\n${outcome}\n${authMethod ?? 'none'}`
      decisions.count(perKey ? `${labels}\n${keyId ?? ''}` : labels)
      observeDuration(contract, durationMs / 1000)
    },
    onAuthEvent(event) {
      const labels = `${event.type}\n${event.outcome}\n${event.code ?? ''}\n${event.method ?? ''}`
      events.count(perKey ? `${labels}\n${event.keyId ?? ''}` : labels)
    },
  }
}

/** A counter's increments, tallied by label values until {@link Tally.flush} adds them to it. */
interface Tally {
  /**
   * One more for `labels`: the label values in the order of the counter's `labelNames`, joined by
   * line breaks (a label value is a name, a code or an id, never a line break).
   */
  count(labels: string): void
  flush(): void
}

/**
 * Tallies for `counter`, one per label set: contracts, outcomes, methods and error codes are few;
 * key ids only with `perKeyLabels`, for which the counter holds a series anyway.
 */
function tallied(counter: Counter): Tally {
  const pending = new Map<string, number>()
  return {
    count(labels) {
      pending.set(labels, (pending.get(labels) ?? 0) + 1)
    },
    flush() {
      for (const [labels, count] of pending) {
        if (count > 0) counter.labels(...labels.split('\n')).inc(count)
        pending.set(labels, 0)
      }
    },
  }
}

function ownRegistry(): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return registry
}
