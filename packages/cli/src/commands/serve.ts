import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import {
  createGatewayListener,
  createGatewayMetrics,
  createMetricsServer,
  DEFAULT_TRUSTED_PROXIES,
  type Decision,
  readRoutesFile,
} from '@latchkey/server'
import { createVerifier, isLatchkeyError } from '@latchkey/verifier'
import { COMMON_OPTIONS_HELP, defineCommand } from '../command.js'
import { keyEncryptionKeyFromEnvironment } from '../key-encryption-key.js'
import { openKeyStore } from '../open-key-store.js'
import { portNumber, redisRateLimitsFromEnvironment } from '../server-settings.js'
import { listenFailureMessage } from '../server-startup.js'
import { UsageError } from '../usage-error.js'

/** `latchkey serve`: the gateway, until SIGTERM or SIGINT. */
export const serve = defineCommand({
  path: 'latchkey serve',
  summary: 'Run the gateway: forward-auth decisions for nginx, Caddy, Traefik and Envoy, and the token endpoint',
  usage: `Usage: latchkey serve [--host HOST] [--port PORT] [--config FILE] [--trusted-proxies LIST]
                      [--metrics-port PORT] [--audience URI] [--protected-resource]
                      [--access-log]

Runs the Latchkey gateway in front of a backend in any language: the forward-auth decision
endpoints /auth/nginx, /auth/traefik, /auth/caddy and /auth/envoy/…, the token endpoint, JWKS and
metadata, token revocation (POST /oauth/revoke), token introspection (POST /oauth/introspect, for
keys with the scope latchkey:introspect), /healthz, /readyz and /metrics (Prometheus). LATCHKEY_ISSUER (required) names
the issuer, and the audience tokens must carry; every instance sharing a store must name the same. Stops on SIGTERM or SIGINT once the
requests in flight are answered. Keys with rate limits or credits are refused with 429 past them
(docs/usage-limits.md); LATCHKEY_REDIS_URL counts rate-limit windows in Redis. See docs/gateway.md for
each proxy's configuration.

Options:
  --host HOST             Address to listen on (default: 127.0.0.1)
  --port PORT             Port to listen on, 0 for any free one (default: 8080)
  --config FILE           Route rules, JSON: {"routes": [{"method": "GET", "path": "/public/*",
                          "auth": "none"}, {"path": "/api/*", "scopes": ["write"]}]}; the first rule that
                          matches decides; unmatched requests need valid credentials and no scope
  --trusted-proxies LIST  Comma-separated addresses or CIDR ranges whose X-Forwarded-For is believed
                          (default: 127.0.0.0/8,::1)
  --metrics-port PORT     Serve /metrics on this port of --host instead of the main port
  --audience URI          The audience tokens are issued for and must carry (default: LATCHKEY_ISSUER)
  --protected-resource    Serve RFC 9728 metadata for the audience at
                          /.well-known/oauth-protected-resource and name it in every Bearer challenge
  --access-log            Log one JSON line per decision: contract, status, outcome, key id, auth
                          method and duration (never a credential, a path or a query)
${COMMON_OPTIONS_HELP}
`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    config: { type: 'string' },
    'trusted-proxies': { type: 'string' },
    'metrics-port': { type: 'string' },
    audience: { type: 'string' },
    'protected-resource': { type: 'boolean' },
    'access-log': { type: 'boolean' },
  },
  positionals: [],
  async run({ values, databaseUrl, io }) {
    const issuer = io.env.LATCHKEY_ISSUER
    if (!issuer) {
      throw new UsageError('latchkey serve needs LATCHKEY_ISSUER, such as https://api.example.com.', 'latchkey serve')
    }
    const host = values.host ?? '127.0.0.1'
    const port = portNumber(values.port, '--port', 8080)
    const metricsPort =
      values['metrics-port'] === undefined ? undefined : portNumber(values['metrics-port'], '--metrics-port', 0)
    const metrics = createGatewayMetrics()
    const rules = values.config === undefined ? [] : readRoutesFile(resolve(io.cwd, values.config), values.config)
    const trustedProxies = values['trusted-proxies']?.split(',').map((entry) => entry.trim()) ?? DEFAULT_TRUSTED_PROXIES
    const keyEncryptionKey = keyEncryptionKeyFromEnvironment(io.env, io.cwd)
    /** One JSON line per event on stdout, as log collectors read them. */
    const log = (level: 'info' | 'error', message: string, fields: Record<string, unknown>) =>
      io.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`)
    const store = await openKeyStore(databaseUrl, { cwd: io.cwd })
    // After the store, and closed before it: LATCHKEY_REDIS_URL's rate-limit windows, if set.
    let rateLimits: ReturnType<typeof redisRateLimitsFromEnvironment>
    try {
      rateLimits = redisRateLimitsFromEnvironment(io.env)
    } catch (error) {
      await store.close()
      throw error
    }
    const closeStores = () => Promise.resolve(rateLimits?.counter.close()).finally(() => store.close())
    let verifier: ReturnType<typeof createVerifier>
    try {
      verifier = createVerifier({
        store,
        issuer,
        trustedProxies,
        // RFC 8414 §2: the metadata names the gateway's introspection endpoint beside the token endpoint.
        introspectionEndpoint: new URL('oauth/introspect', issuer.endsWith('/') ? issuer : `${issuer}/`).href,
        ...(values.audience === undefined ? {} : { audience: values.audience }),
        ...(values['protected-resource'] ? { protectedResource: true } : {}),
        onEvent: (event) => {
          metrics.onAuthEvent(event)
          // A store outage or an unexpected error, once per request it refuses with 5xx: the code and
          // key id only, never a credential.
          if (event.outcome === 'error') {
            log('error', 'authentication failed on the server side', {
              type: event.type,
              code: event.code,
              keyId: event.keyId,
            })
          }
        },
        ...(keyEncryptionKey ? { keyEncryptionKey } : {}),
        ...(rateLimits ? { rateLimits } : {}),
      })
    } catch (error) {
      await closeStores()
      throw new UsageError((error as Error).message, 'latchkey serve', { cause: error })
    }
    const metricsPath = metricsPort === undefined ? '/metrics' : false
    const onDecision = values['access-log']
      ? (decision: Decision) => log('info', 'decision', { ...decision })
      : undefined
    const server = createServer(
      createGatewayListener({ verifier, store, rules, metrics, metricsPath, ...(onDecision ? { onDecision } : {}) }),
    )
    // Longer than the proxies' own idle timeouts for kept-alive upstream connections (nginx: 60 s), so
    // that the proxy closes an idle one first and never sends a request on one the gateway is closing.
    server.keepAliveTimeout = 75_000
    const metricsServer = metricsPort === undefined ? undefined : createMetricsServer(metrics)
    try {
      await verifier.ready?.()
    } catch (error) {
      // A store that is down does not stop the gateway: /readyz says so, and requests answer 503.
      if (!isLatchkeyError(error) || error.code !== 'ERR_STORE_UNAVAILABLE') {
        await closeStores()
        throw error
      }
    }
    const failed = (listening: number, option: string) => async (error: unknown) => {
      server.close()
      metricsServer?.close()
      await Promise.resolve(verifier.close?.()).finally(closeStores)
      const message = listenFailureMessage(error, { host, port: listening }, { port: option, host: '--host' })
      throw message === undefined ? error : new Error(message.replace(/^latchkey: /, ''), { cause: error })
    }
    const address = await listen(server, port, host).catch(failed(port, '--port'))
    const metricsAddress =
      metricsServer && metricsPort !== undefined
        ? await listen(metricsServer, metricsPort, host).catch(failed(metricsPort, '--metrics-port'))
        : undefined
    log('info', 'listening', {
      url: `http://${host}:${address.port}`,
      metrics: `http://${host}:${metricsAddress?.port ?? address.port}/metrics`,
      issuer,
      routes: rules.length,
    })
    const signal = await stopped()
    log('info', 'stopping', { signal })
    await Promise.all([server, metricsServer].map((open) => open && new Promise((done) => open.close(done))))
    await verifier.close?.()
    await closeStores()
    log('info', 'stopped', {})
  },
})

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server.address() as AddressInfo)
    })
  })
}

/** Resolves with the first SIGTERM or SIGINT. */
function stopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
      resolve(signal)
    }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
}
