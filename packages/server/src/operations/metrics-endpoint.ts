import { createServer, type Server, type ServerResponse } from 'node:http'
import { metricsText, metricsUnavailable, notFound } from '../gateway/gateway-answers.js'
import { writeAnswer } from '../gateway/write-answer.js'
import type { GatewayMetrics } from './gateway-metrics.js'

/** Writes the Prometheus text exposition of `metrics` to `res`. */
export function serveMetrics(metrics: GatewayMetrics, res: ServerResponse): void {
  metrics.registry.metrics().then(
    (text) => writeAnswer(res, metricsText(text, metrics.registry.contentType)),
    () => writeAnswer(res, metricsUnavailable()),
  )
}

/** A server of its own for `/metrics` (`latchkey serve --metrics-port`), so it can stay off the public port. */
export function createMetricsServer(metrics: GatewayMetrics): Server {
  return createServer((req, res) => {
    if ((req.url ?? '/').split('?', 1)[0] === '/metrics') serveMetrics(metrics, res)
    else writeAnswer(res, notFound())
  })
}
