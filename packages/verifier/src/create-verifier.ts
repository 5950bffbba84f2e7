import { AuditTrail } from './audit/audit-trail.js'
import { createUsageCountsRecorder } from './audit/usage-counts-recorder.js'
import { createUsageRecorder } from './audit/usage-recorder.js'
import { ApiKeyCheck } from './authenticate/api-key-check.js'
import { Authenticator } from './authenticate/authenticator.js'
import { BearerCheck } from './authenticate/bearer-check.js'
import { VerifiedSecretCache } from './basic/verified-secret-cache.js'
import type { VerifyTokenNow } from './bearer/access-token.js'
import { RefusedTokenCache } from './bearer/refused-token-cache.js'
import { VerifiedTokenCache } from './bearer/verified-token-cache.js'
import { authenticateClient } from './client-authentication/authenticate-client.js'
import { ClientEndpoint } from './client-authentication/client-endpoint.js'
import { metadataPath } from './discovery/issuer.js'
import { authorizationServerMetadata } from './discovery/metadata.js'
import {
  protectedResourceMetadata,
  protectedResourcePath,
  protectedResourceUrl,
} from './discovery/protected-resource.js'
import { Endpoints } from './endpoints.js'
import { toLatchkeyError } from './errors.js'
import { type Challenge, errorAnswer, revocationAnswer, tokenAnswer } from './http/answers.js'
import { createKeyLookup } from './key-lookup/key-lookup.js'
import { basicPrincipal } from './principal.js'
import { soleAuthorization, splitJoined } from './request/authorization-header.js'
import { createClientAddressResolver, lazyClientAddress } from './request/client-address.js'
import { checkScopes } from './scope.js'
import { SigningKeyRing } from './signing-keys/signing-key-ring.js'
import { callStore } from './store/store-call.js'
import { FailureThrottle } from './throttle/failure-throttle.js'
import { processTokenRequest } from './token-endpoint/token-request.js'
import { processRevocationRequest } from './token-revocation/revocation-request.js'
import { memoryRateLimitCounter } from './usage-limits/memory-rate-limit-counter.js'
import { RateLimitCheck } from './usage-limits/rate-limit-check.js'
import { UsageLimits } from './usage-limits/usage-limits.js'
import type { Verifier, VerifierPaths } from './verifier.js'
import { resolveVerifierOptions, type VerifierOptions } from './verifier-options.js'

/** Most tokens refused for good that are remembered (at most 4 KB each, see `MAX_TOKEN_LENGTH`). */
const maxRefusedTokens = 1000

/** Creates a {@link Verifier}. Cheap: signing keys are loaded, or generated, on first use. */
export function createVerifier(options: VerifierOptions): Verifier {
  return createVerifierOn({}, options)
}

/** What a platform's entry point gives the core that the core cannot have itself. Internal. */
export interface Platform {
  /** Access tokens verified in the same turn, where the platform can ({@link VerifyTokenNow}). */
  readonly verifyTokenNow?: VerifyTokenNow
}

/** {@link createVerifier} on `platform`: what the entry points other than the core's call. Internal. */
export function createVerifierOn(platform: Platform, options: VerifierOptions): Verifier {
  const settings = resolveVerifierOptions(options)
  const { store, storeTimeout, now, realm, protectedResource } = settings
  const challenge: Challenge = {
    realm,
    resourceMetadata: protectedResource && protectedResourceUrl(protectedResource.resource),
  }
  const ring = new SigningKeyRing({
    store,
    storeTimeout,
    algorithm: settings.algorithm,
    now,
    refreshInterval: settings.signingKeyRefreshInterval,
    keyEncryptionKey: settings.keyEncryptionKey,
  })
  const keys = createKeyLookup({
    store,
    storeTimeout,
    ring,
    cache: {
      capacity: settings.keyStatusCacheSize,
      maxAge: settings.keyStatusMaxAge,
      fallbackMaxAge: settings.keyStatusFallbackMaxAge,
      now,
    },
  })
  const throttle =
    settings.failureThrottle === false
      ? undefined
      : new FailureThrottle(settings.failureThrottle, store.createFailureLimiter?.bind(store), storeTimeout)
  const tokenSettings = {
    ring,
    issuer: settings.issuer,
    audience: settings.audience,
    clockTolerance: settings.clockTolerance,
    now,
    verifyNow: platform.verifyTokenNow,
  }
  const apiKeys = new ApiKeyCheck({
    keys,
    throttle,
    verifiedSecrets: new VerifiedSecretCache(settings.verifiedSecretCacheSize),
    now,
  })
  const verifiedTokens = new VerifiedTokenCache(settings.verifiedTokenCacheSize)
  const bearer = new BearerCheck({
    settings: tokenSettings,
    keys,
    throttle,
    verifiedTokens,
    refusedTokens: new RefusedTokenCache(Math.min(settings.verifiedTokenCacheSize, maxRefusedTokens)),
  })
  const audit = new AuditTrail(settings.onEvent, now)
  const usage = createUsageRecorder({ store, interval: settings.lastUsedFlushInterval, storeTimeout })
  const usageCounts = createUsageCountsRecorder({
    store,
    interval: settings.lastUsedFlushInterval || 60_000,
    storeTimeout,
    retention: settings.usageRetention,
    now,
  })
  const sharedCounter = settings.rateLimitCounter ?? store.createRateLimitCounter?.bind(store)
  const limits = new UsageLimits({
    store,
    storeTimeout,
    now,
    // The in-process counters answer at once: only a shared one is timed.
    rateLimits: new RateLimitCheck(
      sharedCounter ?? memoryRateLimitCounter,
      sharedCounter ? (settings.rateLimitTimeout ?? storeTimeout) : undefined,
    ),
  })
  const resolveClientAddress = createClientAddressResolver(settings)
  const authenticator = new Authenticator({
    apiKeys,
    bearer,
    audit,
    usage,
    usageCounts,
    limits,
    resolveClientAddress,
    now,
  })
  const paths: VerifierPaths = {
    token: settings.tokenPath,
    jwks: settings.jwksPath,
    metadata: metadataPath(settings.issuer),
    revocation: settings.revocationPath,
    ...(protectedResource ? { protectedResource: protectedResourcePath(protectedResource.resource) } : {}),
  }
  const metadata = authorizationServerMetadata({
    issuer: settings.issuer,
    tokenPath: paths.token,
    jwksPath: paths.jwks,
    revocationPath: paths.revocation,
    introspectionEndpoint: settings.introspectionEndpoint,
    scopes: settings.scopesSupported,
  })
  const jwks = () => callStore(storeTimeout, () => ring.jwks())
  const clientEndpoint = { audit, usage, resolveClientAddress, challenge, now }
  const issuance = { tokenLifetime: settings.tokenLifetime, tokenSettings, apiKeys }
  const token = new ClientEndpoint({
    ...clientEndpoint,
    type: 'token',
    handle: async (request, state, clientAddress) => {
      const { key, body } = await processTokenRequest(issuance, request, state, clientAddress)
      return { key, answer: tokenAnswer(JSON.stringify(body)) }
    },
  })
  const revocationContext = { store, storeTimeout, tokenSettings, apiKeys, verifiedTokens }
  const revocation = new ClientEndpoint({
    ...clientEndpoint,
    type: 'revocation',
    handle: async (request, state, clientAddress) => {
      const key = await processRevocationRequest(revocationContext, request, state, clientAddress)
      return { key, answer: revocationAnswer() }
    },
  })
  const resourceMetadata =
    protectedResource &&
    protectedResourceMetadata({ ...protectedResource, issuer: settings.issuer, scopes: settings.scopesSupported })
  const endpoints = new Endpoints({
    paths,
    token,
    revocation,
    jwks,
    metadata,
    protectedResource: resourceMetadata,
    challenge,
  })

  const authenticate: Verifier['authenticate'] = (input, connection, options) =>
    authenticator.authenticate(input, connection, options)
  return {
    authenticate,
    authenticateNow(input, connection, options) {
      // A copy given another `authenticate` (a spread, say) is answered by that one, never bypassed.
      const own = this?.authenticate
      if (own !== undefined && own !== authenticate) return own.call(this, input, connection, options)
      return authenticator.authenticateNow(input, connection, options)
    },
    async authenticateClient(input, connection) {
      const clientAddress = lazyClientAddress(resolveClientAddress, connection?.clientAddress, input.headers)
      try {
        const authorization = soleAuthorization(input.authorization.flatMap(splitJoined))
        const key = await authenticateClient(apiKeys, authorization, input.form, clientAddress(), {})
        return { ok: true, principal: basicPrincipal(key) }
      } catch (error) {
        return { ok: false, error: toLatchkeyError(error) }
      }
    },
    checkScopes,
    answer: (input, connection) => endpoints.answer(input, connection),
    answerError: (error, context = 'resource') => errorAnswer(error, context, challenge),
    jwks,
    metadata: () => metadata,
    ready: async () => {
      await ring.signingKey()
    },
    paths,
    close: async () => {
      keys.close()
      await Promise.all([usage.close(), usageCounts.close()])
    },
  }
}
