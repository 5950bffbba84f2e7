import { AuditTrail } from './audit/audit-trail.js'
import { createUsageRecorder } from './audit/usage-recorder.js'
import { ApiKeyCheck } from './authenticate/api-key-check.js'
import { Authenticator } from './authenticate/authenticator.js'
import { BearerCheck } from './authenticate/bearer-check.js'
import { VerifiedSecretCache } from './basic/verified-secret-cache.js'
import { RefusedTokenCache } from './bearer/refused-token-cache.js'
import { VerifiedTokenCache } from './bearer/verified-token-cache.js'
import { metadataPath } from './discovery/issuer.js'
import { authorizationServerMetadata } from './discovery/metadata.js'
import { Endpoints } from './endpoints.js'
import { errorAnswer } from './http/answers.js'
import { createKeyLookup } from './key-lookup/key-lookup.js'
import { createClientAddressResolver } from './request/client-address.js'
import { checkScopes } from './scope.js'
import { SigningKeyRing } from './signing-keys/signing-key-ring.js'
import { callStore } from './store/store-call.js'
import { FailureThrottle } from './throttle/failure-throttle.js'
import { TokenEndpoint } from './token-endpoint/token-endpoint.js'
import type { Verifier, VerifierPaths } from './verifier.js'
import { resolveVerifierOptions, type VerifierOptions } from './verifier-options.js'

/** Most tokens refused for good that are remembered (at most 4 KB each, see `MAX_TOKEN_LENGTH`). */
const maxRefusedTokens = 1000

/** Creates a {@link Verifier}. Cheap: signing keys are loaded, or generated, on first use. */
export function createVerifier(options: VerifierOptions): Verifier {
  const settings = resolveVerifierOptions(options)
  const { store, storeTimeout, now, realm } = settings
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
  }
  const apiKeys = new ApiKeyCheck({
    keys,
    throttle,
    verifiedSecrets: new VerifiedSecretCache(settings.verifiedSecretCacheSize),
    now,
  })
  const bearer = new BearerCheck({
    settings: tokenSettings,
    keys,
    throttle,
    verifiedTokens: new VerifiedTokenCache(settings.verifiedTokenCacheSize),
    refusedTokens: new RefusedTokenCache(Math.min(settings.verifiedTokenCacheSize, maxRefusedTokens)),
  })
  const audit = new AuditTrail(settings.onEvent, now)
  const usage = createUsageRecorder({ store, interval: settings.lastUsedFlushInterval, storeTimeout })
  const resolveClientAddress = createClientAddressResolver(settings)
  const authenticator = new Authenticator({ apiKeys, bearer, audit, usage, resolveClientAddress, now })
  const paths: VerifierPaths = {
    token: settings.tokenPath,
    jwks: settings.jwksPath,
    metadata: metadataPath(settings.issuer),
  }
  const metadata = authorizationServerMetadata({
    issuer: settings.issuer,
    tokenPath: paths.token,
    jwksPath: paths.jwks,
    scopes: settings.scopesSupported,
  })
  const jwks = () => callStore(storeTimeout, () => ring.jwks())
  const token = new TokenEndpoint({
    issuance: { tokenLifetime: settings.tokenLifetime, tokenSettings, apiKeys },
    audit,
    usage,
    resolveClientAddress,
    realm,
    now,
  })
  const endpoints = new Endpoints({ paths, token, jwks, metadata, realm })

  const authenticate: Verifier['authenticate'] = (input, connection) => authenticator.authenticate(input, connection)
  return {
    authenticate,
    authenticateNow(input, connection) {
      // A copy given another `authenticate` (a spread, say) is answered by that one, never bypassed.
      const own = this?.authenticate
      if (own !== undefined && own !== authenticate) return own.call(this, input, connection)
      return authenticator.authenticateNow(input, connection)
    },
    checkScopes,
    answer: (input, connection) => endpoints.answer(input, connection),
    answerError: (error, context = 'resource') => errorAnswer(error, context, realm),
    jwks,
    metadata: () => metadata,
    ready: async () => {
      await ring.signingKey()
    },
    paths,
    close: () => {
      keys.close()
      return usage.close()
    },
  }
}
