import type { AuthEventHandler } from './audit/events.js'
import { validIssuer } from './discovery/issuer.js'
import { type ProtectedResourceOptions, validResource } from './discovery/protected-resource.js'
import { inRange } from './lib/in-range.js'
import type { ForwardedHeader, TrustedProxies } from './request/client-address.js'
import type { KeyEncryptionKey } from './signing-keys/key-encryption.js'
import type { SigningAlgorithm } from './signing-keys/signing-key-ring.js'
import type { KeyStore } from './store/key-store.js'
import type { FailureThrottleOptions } from './throttle/failure-throttle.js'
import type { RateLimitCounterFactory } from './usage-limits/rate-limit-counter.js'
import { DEFAULT_USAGE_RETENTION } from './usage-limits/usage-counts.js'

/** Settings of rate limits (`rateLimits` of `createVerifier`). */
export interface RateLimitOptions {
  /**
   * Makes the counters of each policy (one count and window), e.g. `(options) => new
   * RateLimiterRedis({ storeClient: redis, ...options })`, so that every instance shares the windows.
   * Default: the store's {@link KeyStore.createRateLimitCounter} when it has one, else counters in
   * this process's memory (each instance counts alone).
   */
  readonly counter?: RateLimitCounterFactory
  /**
   * How long a counter may take before the request fails closed with 503, in ms, 1 to 600,000. The
   * in-process counters are never timed. Default: {@link VerifierOptions.storeTimeout}.
   */
  readonly timeout?: number
}

/** Options of `createVerifier`. */
export interface VerifierOptions {
  /** Where accounts, keys and signing keys live. */
  readonly store: KeyStore
  /**
   * The issuer identifier (RFC 8414 §2): an absolute `https` URL (`http` is accepted for loopback and
   * development). Tokens carry it as `iss` and must match it exactly. Every instance sharing a store
   * must use the same issuer.
   */
  readonly issuer: string
  /** The `aud` of issued tokens, required on verification. Default: the issuer. */
  readonly audience?: string
  /** The realm of `WWW-Authenticate` challenges. Default: `'api'`. */
  readonly realm?: string
  /** Access-token lifetime in seconds, 60 to 86,400. Default: 3600. */
  readonly tokenLifetime?: number
  /** Clock skew tolerated on `exp`, in seconds, 0 to 60. Default: 5. */
  readonly clockTolerance?: number
  /** Algorithm of signing keys this verifier generates. Existing keys keep theirs. Default: `'EdDSA'` (Ed25519). */
  readonly algorithm?: SigningAlgorithm
  /** Path of the token endpoint. Default: `'/oauth/token'`. */
  readonly tokenPath?: string
  /** Path of the JWKS document. Default: `'/.well-known/jwks.json'`. */
  readonly jwksPath?: string
  /**
   * Path of the token revocation endpoint (RFC 7009), where a client revokes one of its own access
   * tokens before it expires; published in the metadata as `revocation_endpoint`. Default: `'/oauth/revoke'`.
   */
  readonly revocationPath?: string
  /**
   * The absolute URL of a token introspection endpoint (RFC 7662) for this issuer's tokens, published
   * in the metadata as `introspection_endpoint`: the verifier itself serves none (`latchkey serve`
   * does, and sets this). Default: not published.
   */
  readonly introspectionEndpoint?: string
  /**
   * How many verified tokens are remembered to skip their signature check, each from its second
   * verification on (a token used once is never kept); 0 turns this off, and
   * with it the memory of up to 1,000 tokens refused for good (forged, expired, malformed), which
   * refuses a replayed forgery without another signature check. Default: 10,000.
   */
  readonly verifiedTokenCacheSize?: number
  /**
   * How many API key secrets that matched are remembered, so that Basic credentials sent again are
   * not hashed again; 0 turns this off. The key's status is checked on every request either way.
   * Remembered secrets stay in process memory. Default: 10,000.
   */
  readonly verifiedSecretCacheSize?: number
  /** How long a store call may take before the request fails closed with 503, in ms. Default: 5000. */
  readonly storeTimeout?: number
  /**
   * How often signing keys are re-read from the store, in ms, to follow rotations made elsewhere.
   * A store with a change feed (Postgres) also pushes rotations at once. Keep it below the
   * activation delay of rotations (`rotateSigningKey`, default 120,000). Default: 60,000.
   */
  readonly signingKeyRefreshInterval?: number
  /**
   * How many key lookups are kept in memory, for stores that report changes: a change feed
   * ({@link KeyStore.watch}, e.g. Postgres) or a change version ({@link KeyStore.changeVersion},
   * e.g. SQLite). Any other store is read on every request. 0 reads the store on every request
   * whatever the store. Default: 10,000.
   */
  readonly keyStatusCacheSize?: number
  /**
   * How long a cached key status is trusted while the store's change feed is live, in ms, in case a
   * change went unreported; every reported change ends it at once. 1000 to 86,400,000. Default: 300,000.
   */
  readonly keyStatusMaxAge?: number
  /**
   * The revocation bound while the store's change feed is down (connection lost, not yet
   * re-subscribed): a cached key status older than this many ms is read again, so a revocation made
   * elsewhere is honoured at most this late. 0 to 60,000; 0 reads the store on every request then.
   * Default: 1000.
   */
  readonly keyStatusFallbackMaxAge?: number
  /** Scopes advertised in the metadata (`scopes_supported`). Default: not advertised. */
  readonly scopesSupported?: readonly string[]
  /**
   * Serves RFC 9728 protected-resource metadata for the API this verifier guards, at
   * `/.well-known/oauth-protected-resource` followed by the audience's path, and names its URL in
   * every Bearer challenge (`resource_metadata="…"`), so that RFC 9728 clients (MCP clients among
   * them) find the authorization server, and from it the token endpoint, by themselves. The resource
   * identifier is the audience, which must then be an http(s) URL. `true`, or the names to publish
   * with it. Default: `false`.
   */
  readonly protectedResource?: boolean | ProtectedResourceOptions
  /**
   * Receives an event for every authentication decision. On Node the same events are also
   * published on the `diagnostics_channel` named `'latchkey:auth'` while it has subscribers.
   * Default: none.
   */
  readonly onEvent?: AuthEventHandler
  /**
   * How often the keys that authenticated requests are written to the store's `lastUsedAt`
   * ({@link KeyStore.touchApiKeys}), in ms: a key's `lastUsedAt` is written at most once per
   * interval and lags by up to it. 0 keeps no `lastUsedAt`; so does a store without
   * `touchApiKeys`. 0 or 1000 to 86,400,000. Default: 60,000.
   */
  readonly lastUsedFlushInterval?: number
  /** The clock, in ms since the epoch. Default: `Date.now`. */
  readonly now?: () => number
  /**
   * Brute-force throttling of failed credential checks (Basic and the token endpoint), and of Bearer
   * tokens whose signature or claims fail, which count against the client's address only: settings, or
   * `false` to turn it off. Counts follow the real clock, not {@link VerifierOptions.now}.
   * Default: on, with the defaults of {@link FailureThrottleOptions}.
   */
  readonly failureThrottle?: FailureThrottleOptions | false
  /**
   * The proxies whose forwarding header ({@link VerifierOptions.forwardedHeader}) tells the client's
   * address, which throttling counts by: their addresses or CIDR ranges, or how many proxy hops
   * stand in front of the server. Default: none, the connection's peer address is the client's.
   */
  readonly trustedProxies?: TrustedProxies
  /** The header trusted proxies write the client's address in. Default: `'x-forwarded-for'`. */
  readonly forwardedHeader?: ForwardedHeader
  /**
   * Encrypts private signing keys at rest (AES-256-GCM): the keys this verifier generates are stored
   * sealed with it, and sealed keys are opened with it. Without it a sealed key cannot sign
   * (`ERR_KEY_ENCRYPTION`, see {@link Verifier.ready}); plain keys keep working either way. Every
   * instance sharing a store must use the same one. Default: none, private keys are stored as JWKs.
   */
  readonly keyEncryptionKey?: KeyEncryptionKey
  /**
   * Where the rate limits of keys and accounts count requests. Every authenticated API request
   * (Basic or Bearer) counts one against each limit of its key and its account; token requests count
   * against none. Windows follow the counters' clock (the real one), not {@link VerifierOptions.now}.
   * A counter that fails answers 503 to the requests of limited keys; keys without limits never touch
   * one. Default: see {@link RateLimitOptions}.
   */
  readonly rateLimits?: RateLimitOptions
  /**
   * How long usage counts (requests per key, hour and outcome, written through
   * {@link KeyStore.recordUsage} every {@link VerifierOptions.lastUsedFlushInterval}, or every
   * 60,000 ms when that is 0) are kept, in ms: each write forgets the hours before. 3,600,000 (an
   * hour) to 3,153,600,000,000 (100 years). Default: 7,776,000,000 (90 days).
   */
  readonly usageRetention?: number
}

/**
 * `options` checked, with every default applied (durations in ms, lifetimes in s); throws a
 * `TypeError` or `RangeError` naming the option. Internal.
 */
export function resolveVerifierOptions(options: VerifierOptions) {
  const issuer = validIssuer(options.issuer)
  const realm = options.realm ?? 'api'
  if (!/^[\x20\x21\x23-\x5B\x5D-\x7E]{1,100}$/.test(realm)) {
    throw new TypeError('realm must be 1 to 100 printable ASCII characters without quotes or backslashes.')
  }
  const lastUsedFlushInterval = options.lastUsedFlushInterval ?? 60_000
  if (lastUsedFlushInterval !== 0) inRange('lastUsedFlushInterval', lastUsedFlushInterval, 1000, 86_400_000)
  return {
    store: options.store,
    issuer,
    audience: options.audience ?? issuer,
    realm,
    tokenLifetime: inRange('tokenLifetime', options.tokenLifetime ?? 3600, 60, 86_400),
    clockTolerance: inRange('clockTolerance', options.clockTolerance ?? 5, 0, 60),
    algorithm: options.algorithm ?? 'EdDSA',
    tokenPath: options.tokenPath ?? '/oauth/token',
    jwksPath: options.jwksPath ?? '/.well-known/jwks.json',
    revocationPath: options.revocationPath ?? '/oauth/revoke',
    introspectionEndpoint: absoluteUrl('introspectionEndpoint', options.introspectionEndpoint),
    verifiedTokenCacheSize: inRange('verifiedTokenCacheSize', options.verifiedTokenCacheSize ?? 10_000, 0, 10_000_000),
    verifiedSecretCacheSize: inRange(
      'verifiedSecretCacheSize',
      options.verifiedSecretCacheSize ?? 10_000,
      0,
      10_000_000,
    ),
    storeTimeout: inRange('storeTimeout', options.storeTimeout ?? 5000, 1, 600_000),
    signingKeyRefreshInterval: options.signingKeyRefreshInterval ?? 60_000,
    keyStatusCacheSize: inRange('keyStatusCacheSize', options.keyStatusCacheSize ?? 10_000, 0, 10_000_000),
    keyStatusMaxAge: inRange('keyStatusMaxAge', options.keyStatusMaxAge ?? 300_000, 1000, 86_400_000),
    keyStatusFallbackMaxAge: inRange('keyStatusFallbackMaxAge', options.keyStatusFallbackMaxAge ?? 1000, 0, 60_000),
    scopesSupported: options.scopesSupported,
    protectedResource: protectedResourceSettings(options.protectedResource, options.audience ?? issuer),
    onEvent: options.onEvent,
    lastUsedFlushInterval,
    now: options.now ?? Date.now,
    failureThrottle: options.failureThrottle ?? {},
    trustedProxies: options.trustedProxies,
    forwardedHeader: options.forwardedHeader,
    keyEncryptionKey: options.keyEncryptionKey,
    rateLimitCounter: options.rateLimits?.counter,
    rateLimitTimeout:
      options.rateLimits?.timeout === undefined
        ? undefined
        : inRange('rateLimits.timeout', options.rateLimits.timeout, 1, 600_000),
    usageRetention: inRange(
      'usageRetention',
      options.usageRetention ?? DEFAULT_USAGE_RETENTION,
      3_600_000,
      3_153_600_000_000,
    ),
  }
}

/** `value` when it is an absolute http(s) URL; throws a `TypeError` naming `name` otherwise. */
function absoluteUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)) return value
  throw new TypeError(`${name} must be an absolute http or https URL.`)
}

/** The resource identifier and the names to publish, when `protectedResource` asks for the metadata. */
function protectedResourceSettings(option: VerifierOptions['protectedResource'], audience: string) {
  if (option === undefined || option === false) return undefined
  const named = option === true ? {} : option
  const { resourceName, resourceDocumentation } = named
  if (resourceName !== undefined && !/^[^\p{Cc}]{1,200}$/u.test(resourceName)) {
    throw new TypeError('protectedResource.resourceName must be 1 to 200 characters without control characters.')
  }
  absoluteUrl('protectedResource.resourceDocumentation', resourceDocumentation)
  return { resource: validResource(audience), options: named }
}
