import { basicClient } from './basic-client.js'
import { bearerClient } from './bearer-client.js'
import type { Client } from './client.js'
import { requestToken, type TokenRequestSettings } from './client-credentials.js'
import { ClientLifetime } from './client-lifetime.js'
import type { ClientOptions } from './client-options.js'
import { systemClock } from './clock.js'
import { assertEndpointUrl, parseUrlOption } from './endpoint-url.js'
import {
  checkApiKey,
  clientAuthenticationOf,
  invalidOption,
  nonNegative,
  positive,
  revocationUrlOf,
  tokenUrlOf,
} from './option-checks.js'
import { RequestTarget } from './request-target.js'
import { retryPolicy } from './retry.js'
import { normalizeScope } from './scope.js'
import { TokenCache } from './token-cache.js'
import { type RevocationSettings, revokeToken } from './token-revocation.js'

/**
 * Creates an authenticated `fetch` for an API secured with API keys: HTTP Basic, or OAuth2 client
 * credentials against any RFC 6749 token endpoint, with cached tokens refreshed before they expire.
 *
 * @example
 * const client = createClient({ tokenUrl: 'https://api.example.com/oauth/token', apiKey: { id, secret }, scope: 'read' })
 * const response = await client.fetch('https://api.example.com/things')
 */
export function createClient(options: ClientOptions): Client {
  const mode = options.mode ?? 'client_credentials'
  if (mode !== 'client_credentials' && mode !== 'basic') {
    throw invalidOption(`mode must be 'client_credentials' or 'basic'.`)
  }
  if ((options as { apiKeyFile?: unknown }).apiKeyFile !== undefined) {
    throw invalidOption(`apiKeyFile needs file access: import { createClient } from '@latchkey/client/node'.`)
  }
  const apiKey = checkApiKey(options.apiKey, mode)
  const allowInsecureHttp = options.allowInsecureHttp ?? false
  const baseUrl = options.baseUrl === undefined ? undefined : parseUrlOption(options.baseUrl, 'baseUrl')
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const defaultScope = normalizeScope(options.scope)
  const hooks = options.hooks ?? {}
  const lifetime = new ClientLifetime()
  const target = new RequestTarget(baseUrl, allowInsecureHttp)

  if (mode === 'basic') return basicClient({ apiKey, fetch: fetchImpl, target, lifetime })

  const tokenUrl = tokenUrlOf(options.tokenUrl, baseUrl)
  assertEndpointUrl(tokenUrl, 'tokenUrl', allowInsecureHttp)
  const revocationUrl = revocationUrlOf(options.revocationUrl, tokenUrl)
  assertEndpointUrl(revocationUrl, 'revocationUrl', allowInsecureHttp)
  const timeout = positive('timeout', options.timeout ?? 10_000, 2 ** 31 - 1)
  const settings: TokenRequestSettings = {
    tokenUrl,
    apiKey,
    clientAuthentication: clientAuthenticationOf(options.clientAuthentication),
    resource: options.resource,
    audience: options.audience,
    fetch: fetchImpl,
    clock: options.clock ?? systemClock,
    timeout,
    maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes ?? 65_536, 2 ** 30),
    retry: retryPolicy(options.retry),
    expiry: {
      defaultExpiresIn: positive('defaultTokenLifetime', options.defaultTokenLifetime ?? 60_000, 2 ** 31 - 1) / 1000,
      maxExpiresIn: positive('maxTokenLifetime', options.maxTokenLifetime ?? 86_400_000, 2 ** 31 - 1) / 1000,
    },
    hooks,
    lifetime,
  }
  const revocation: RevocationSettings = { ...settings, revocationUrl }
  const describe = (scope: string) => ({ tokenUrl: tokenUrl.href, clientId: apiKey.id, scope })
  const tokens = new TokenCache({
    clock: settings.clock,
    hooks,
    store: options.tokenStore,
    lifetime,
    expirySkew: nonNegative('expirySkew', options.expirySkew ?? 30_000),
    refreshWindow: nonNegative('refreshWindow', options.refreshWindow ?? 60_000),
    keyFor: (scope) =>
      JSON.stringify([tokenUrl.href, apiKey.id, scope, options.audience ?? null, options.resource ?? null]),
    describe,
    requestToken: (scope, reason) => requestToken(settings, scope, reason),
  })
  return bearerClient({
    fetch: fetchImpl,
    target,
    tokens,
    hooks,
    defaultScope,
    lifetime,
    revoke: (token, signal) => revokeToken(revocation, token, signal),
  })
}
