import { isFinalRefusal, isForgery, verifyAccessToken } from './access-token.js'
import { API_KEY_SECRET_PREFIX } from './api-key.js'
import { nodeAuthEventChannel } from './audit-channel.js'
import { withAuthenticateNow } from './authenticate-now.js'
import { type AuthorizationCredentials, parseAuthorization } from './authorization-header.js'
import { createClientAddressResolver, type ForwardedHeader, type TrustedProxies } from './client-address.js'
import { assertUsable, checkApiKey } from './credential-check.js'
import {
  describeError,
  type ErrorContext,
  type HttpDescription,
  type HttpErrorDescription,
  toResponse,
} from './error-response.js'
import { isLatchkeyError, LatchkeyError } from './errors.js'
import type { AuthEvent, AuthEventHandler } from './events.js'
import {
  checkAddressThrottled,
  checkThrottled,
  FailureThrottle,
  type FailureThrottleOptions,
} from './failure-throttle/failure-throttle.js'
import { checkFormHeaders, parseFormBody, readFormBody } from './form-body.js'
import { createKeyLookup } from './key-lookup.js'
import type { KeyStore } from './key-store.js'
import { callStore } from './lib/store-call.js'
import { type AuthorizationServerMetadata, authorizationServerMetadata } from './metadata.js'
import { type AuthenticationMethod, basicPrincipal, bearerPrincipal, type Principal } from './principal.js'
import { RefusedTokenCache } from './refused-token-cache.js'
import { type Memory, rememberedPrincipal } from './remembered-principal.js'
import { missingScopes } from './scope.js'
import { type JSONWebKeySet, type SigningAlgorithm, SigningKeyRing } from './signing-key-ring.js'
import {
  processTokenRequest,
  type TokenRequestInput,
  type TokenRequestParts,
  type TokenRequestState,
  tokenResponseHeaders,
} from './token-endpoint.js'
import { createUsageRecorder } from './usage-recorder.js'
import { VerifiedSecretCache } from './verified-secret-cache.js'
import { type VerifiedToken, VerifiedTokenCache } from './verified-token-cache.js'
import type { VerifierContext } from './verifier-context.js'

/** Options of {@link createVerifier}. */
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
   * How many verified tokens are remembered to skip their signature check; 0 turns this off, and
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
}

/** What an adapter knows of a request beyond the Web `Request`. */
export interface ConnectionInfo {
  /** The address of the connection's peer (e.g. Node's `socket.remoteAddress`), when known. */
  readonly clientAddress?: string | undefined
}

/** What a request sent for authentication: a Web `Request`, or the parts an adapter extracted. */
export type AuthenticationInput =
  | Request
  | {
      /** Every `Authorization` header value, one per header line. */
      readonly authorization: readonly string[]
      /** The request URL (absolute, or path and query), to refuse tokens in the query. */
      readonly url?: string
      /** The address of the connection's peer, when known: throttling counts failures by client address. */
      readonly clientAddress?: string | undefined
      /** The request headers, read for the forwarding header when `trustedProxies` is set. */
      readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>
    }

/** The outcome of {@link Verifier.authenticate}: a principal, or the error to answer with. */
export type AuthenticationResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly error: LatchkeyError }

/** The paths of the endpoints a verifier serves. */
export interface VerifierPaths {
  readonly token: string
  readonly jwks: string
  readonly metadata: string
}

/** Authenticates requests and serves the token endpoint, JWKS and metadata. Framework-free. */
export interface Verifier {
  /** Authenticates a request's `Authorization` header, Basic or Bearer. Never throws for bad input. */
  authenticate(input: AuthenticationInput, connection?: ConnectionInfo): Promise<AuthenticationResult>
  /** `undefined` when `principal` has every scope in `required`, else the `ERR_INSUFFICIENT_SCOPE` error. */
  checkScopes(principal: Principal, required: readonly string[]): LatchkeyError | undefined
  /** Answers a token request (RFC 6749 §4.4). Never throws. */
  handleTokenRequest(request: Request, connection?: ConnectionInfo): Promise<Response>
  /**
   * {@link Verifier.handleTokenRequest} for servers without Web `Request`s: takes the request's parts
   * (or a `Request`) and gives the answer as plain parts, for the adapter to write. Never throws.
   */
  answerTokenRequest(input: Request | TokenRequestInput, connection?: ConnectionInfo): Promise<HttpDescription>
  /**
   * Answers a request to one of {@link Verifier.paths} (token endpoint, JWKS, metadata), or returns
   * `undefined` for any other path.
   */
  handle(request: Request, connection?: ConnectionInfo): Promise<Response | undefined>
  /** The public signing keys. */
  jwks(): Promise<JSONWebKeySet>
  /** The RFC 8414 metadata. */
  metadata(): AuthorizationServerMetadata
  /** An error as HTTP status, headers and body: the one mapping every adapter uses. */
  describeError(error: unknown, context?: ErrorContext): HttpErrorDescription
  /** {@link Verifier.describeError} as a Web `Response`. */
  errorResponse(error: unknown, context?: ErrorContext): Response
  readonly paths: VerifierPaths
  /**
   * Ends the verifier's subscription to the store's change feed, if it made one, forgets cached
   * statuses, and writes the key uses not yet written (`lastUsedAt`); the promise settles once they
   * are written or given up, and never rejects. The store itself stays open: close it separately,
   * after this promise. Optional so that other implementations of this interface stay valid.
   */
  close?(): Promise<void> | void
}

/** Creates a {@link Verifier}. Cheap: signing keys are loaded, or generated, on first use. */
export function createVerifier(options: VerifierOptions): Verifier {
  const issuer = validIssuer(options.issuer)
  const realm = options.realm ?? 'api'
  if (!/^[\x20\x21\x23-\x5B\x5D-\x7E]{1,100}$/.test(realm)) {
    throw new TypeError('realm must be 1 to 100 printable ASCII characters without quotes or backslashes.')
  }
  const now = options.now ?? Date.now
  const clockTolerance = inRange('clockTolerance', options.clockTolerance ?? 5, 0, 60)
  const tokenLifetime = inRange('tokenLifetime', options.tokenLifetime ?? 3600, 60, 86_400)
  const storeTimeout = inRange('storeTimeout', options.storeTimeout ?? 5000, 1, 600_000)
  const audience = options.audience ?? issuer
  const ring = new SigningKeyRing({
    store: options.store,
    storeTimeout,
    algorithm: options.algorithm ?? 'EdDSA',
    now,
    refreshInterval: options.signingKeyRefreshInterval ?? 60_000,
  })
  const tokenSettings = { ring, issuer, audience, clockTolerance, now }
  const keys = createKeyLookup({
    store: options.store,
    storeTimeout,
    ring,
    cache: {
      capacity: inRange('keyStatusCacheSize', options.keyStatusCacheSize ?? 10_000, 0, 10_000_000),
      maxAge: inRange('keyStatusMaxAge', options.keyStatusMaxAge ?? 300_000, 1000, 86_400_000),
      fallbackMaxAge: inRange('keyStatusFallbackMaxAge', options.keyStatusFallbackMaxAge ?? 1000, 0, 60_000),
      now,
    },
  })
  const resolveClientAddress = createClientAddressResolver({
    trustedProxies: options.trustedProxies,
    forwardedHeader: options.forwardedHeader,
  })
  const throttle =
    options.failureThrottle === false
      ? undefined
      : new FailureThrottle(
          options.failureThrottle ?? {},
          options.store.createFailureLimiter?.bind(options.store),
          storeTimeout,
        )
  const verifiedSecrets = new VerifiedSecretCache(
    inRange('verifiedSecretCacheSize', options.verifiedSecretCacheSize ?? 10_000, 0, 10_000_000),
  )
  const context: VerifierContext = {
    tokenLifetime,
    tokenSettings,
    checkCredentials: (keyId, secret, address) =>
      checkThrottled(throttle, { keyId, address }, () =>
        checkApiKey(keys.findPresented, keyId, secret, verifiedSecrets),
      ),
  }
  const verifiedTokenCacheSize = inRange(
    'verifiedTokenCacheSize',
    options.verifiedTokenCacheSize ?? 10_000,
    0,
    10_000_000,
  )
  const cache = new VerifiedTokenCache(verifiedTokenCacheSize)
  const memory: Memory = { keys, ring, throttle, verifiedSecrets }
  const refusedTokens = new RefusedTokenCache(Math.min(verifiedTokenCacheSize, maxRefusedTokens))
  const paths: VerifierPaths = {
    token: options.tokenPath ?? '/oauth/token',
    jwks: options.jwksPath ?? '/.well-known/jwks.json',
    metadata: metadataPath(issuer),
  }
  const metadata = authorizationServerMetadata({
    issuer,
    tokenPath: paths.token,
    jwksPath: paths.jwks,
    scopes: options.scopesSupported,
  })

  const lastUsedFlushInterval = options.lastUsedFlushInterval ?? 60_000
  if (lastUsedFlushInterval !== 0) inRange('lastUsedFlushInterval', lastUsedFlushInterval, 1000, 86_400_000)
  const usage = createUsageRecorder({ store: options.store, interval: lastUsedFlushInterval, storeTimeout })
  // Looked up once: publishing is then a property read while nobody subscribes.
  const channel = nodeAuthEventChannel()

  function emit(
    event: Omit<AuthEvent, 'at' | 'durationMs' | 'clientAddress'>,
    started: number,
    clientAddress: () => string | undefined,
  ): void {
    if (event.outcome === 'success' && event.keyId !== undefined) usage.record(event.keyId, now())
    const publish = channel?.hasSubscribers === true
    if (!options.onEvent && !publish) return
    // Resolved only for a listener: parsing addresses is not free on a path every request takes.
    const address = clientAddress()
    const complete: AuthEvent = {
      ...event,
      ...(address === undefined ? {} : { clientAddress: address }),
      at: new Date(now()),
      durationMs: performance.now() - started,
    }
    try {
      options.onEvent?.(complete)
    } catch {
      // An audit hook must never change the answer.
    }
    if (!publish) return
    try {
      channel?.publish(complete)
    } catch {
      // Nor may a diagnostics_channel subscriber; Node reports a subscriber's own error as uncaught.
    }
  }

  /**
   * The client's address as throttling and audit events see it (trusted proxies applied), resolved on
   * first use and at most once per request.
   */
  function clientAddressOf(input: AuthenticationInput, connection?: ConnectionInfo): () => string | undefined {
    let resolved: { readonly address: string | undefined } | undefined
    return () => {
      const peer = ('authorization' in input ? input.clientAddress : undefined) ?? connection?.clientAddress
      resolved ??= { address: resolveClientAddress(peer, input.headers) }
      return resolved.address
    }
  }

  function failureEvent(type: AuthEvent['type'], error: unknown): Omit<AuthEvent, 'at' | 'durationMs'> {
    const latchkeyError = isLatchkeyError(error) ? error : undefined
    return {
      type,
      outcome: latchkeyError && latchkeyError.code !== 'ERR_STORE_UNAVAILABLE' ? 'failure' : 'error',
      ...(latchkeyError ? { code: latchkeyError.code } : {}),
      ...(latchkeyError?.reason ? { reason: latchkeyError.reason } : {}),
    }
  }

  /** The token of a `Bearer` value verified before, as the exact same string: it passed parsing then. */
  function rememberedToken(value: string): { token: string; verified: VerifiedToken } | undefined {
    if (!value.startsWith('Bearer ')) return undefined
    const token = value.slice(7)
    const verified = cache.get(token, now() / 1000, clockTolerance)
    return verified && { token, verified }
  }

  async function authenticateBearer(
    token: string,
    clientAddress: () => string | undefined,
    remembered = cache.get(token, now() / 1000, clockTolerance),
  ): Promise<Principal> {
    let verified = remembered
    if (verified && !(ring.verifiesNow(verified.kid) ?? (await ring.verifies(verified.kid)))) {
      // Its signing key has expired since: the token goes with it.
      throw new LatchkeyError('ERR_INVALID_TOKEN', 'The access token is not valid.', { reason: 'token_invalid' })
    }
    if (!verified) {
      const refused = refusedTokens.get(token)
      if (refused) throw new LatchkeyError('ERR_INVALID_TOKEN', 'The access token is not valid.', { reason: refused })
      try {
        // Only a forger fails a signature check: such failures count against the client's address.
        verified = await checkAddressThrottled(
          throttle,
          clientAddress(),
          () => verifyAccessToken(tokenSettings, token),
          isForgery,
        )
      } catch (error) {
        if (isFinalRefusal(error) && error.reason) refusedTokens.add(token, error.reason)
        throw error
      }
      cache.set(token, verified)
    }
    // Revocation: the key and its account must still be enabled, checked on every request, token cached or not.
    // From memory when it can answer at once, as for a reused token: no promise to settle.
    const known = keys.remembered(verified.claims.sub)
    const key = known ? known.credential : await keys.find(verified.claims.sub)
    if (!key) throw new LatchkeyError('ERR_INVALID_TOKEN', 'The access token is not valid.', { reason: 'unknown_key' })
    assertUsable(key, 'ERR_INVALID_TOKEN')
    return bearerPrincipal(key, verified.claims)
  }

  /** The credentials of a request's one `Authorization` header; throws the refusal of a bad request. */
  function credentialsOf(input: AuthenticationInput): {
    credentials: AuthorizationCredentials
    remembered: VerifiedToken | undefined
  } {
    const { values, url } =
      'authorization' in input
        ? { values: input.authorization, url: input.url }
        : { values: authorizationValues(input), url: input.url }
    if (values.length > 1) {
      throw new LatchkeyError('ERR_INVALID_REQUEST', 'The request has more than one Authorization header.')
    }
    // Parsing a URL on every request is not free: only one that may name the parameter is parsed.
    if (
      url !== undefined &&
      (url.includes('access_token') || url.includes('%')) &&
      new URL(url, 'http://localhost').searchParams.has('access_token')
    ) {
      // RFC 6750 §2.3 is off: tokens in URLs leak into logs and caches.
      throw new LatchkeyError('ERR_INVALID_REQUEST', 'Send the access token in the Authorization header.')
    }
    const value = values[0]
    if (value === undefined) throw missingCredentials()
    const remembered = rememberedToken(value)
    return remembered
      ? { credentials: { scheme: 'bearer', token: remembered.token }, remembered: remembered.verified }
      : { credentials: parseAuthorization(value), remembered: undefined }
  }

  /**
   * {@link Verifier.authenticate}, answered at once when memory vouches for the request
   * ({@link rememberedPrincipal}: a repeated correct secret or token of a usable key), else through
   * the store as a promise. The adapters call it through {@link authenticateNow}, so that the usual
   * request goes on in the same turn.
   */
  function authenticateAtOnce(
    input: AuthenticationInput,
    connection?: ConnectionInfo,
  ): AuthenticationResult | Promise<AuthenticationResult> {
    const started = performance.now()
    const clientAddress = clientAddressOf(input, connection)
    let parsed: ReturnType<typeof credentialsOf>
    try {
      parsed = credentialsOf(input)
    } catch (error) {
      return refusal(error, started, clientAddress, undefined, undefined)
    }
    let principal: Principal | undefined
    try {
      principal = rememberedPrincipal(memory, parsed.credentials, clientAddress, parsed.remembered)
    } catch {
      // Whatever failed (resolving the client address, say) fails again on the store path, which answers it.
    }
    if (principal) return success(principal, started, clientAddress)
    return authenticateThroughStore(parsed.credentials, parsed.remembered, started, clientAddress)
  }

  async function authenticateThroughStore(
    credentials: AuthorizationCredentials,
    remembered: VerifiedToken | undefined,
    started: number,
    clientAddress: () => string | undefined,
  ): Promise<AuthenticationResult> {
    let method: AuthenticationMethod | undefined
    let keyId: string | undefined
    try {
      if (credentials.scheme === 'basic') {
        method = 'basic'
        keyId = credentials.userId
        const key = await context.checkCredentials(credentials.userId, credentials.password, clientAddress())
        return success(basicPrincipal(key), started, clientAddress)
      }
      if (credentials.scheme === 'bearer') {
        method = 'bearer'
        return success(await authenticateBearer(credentials.token, clientAddress, remembered), started, clientAddress)
      }
      throw missingCredentials()
    } catch (error) {
      return refusal(error, started, clientAddress, method, keyId)
    }
  }

  function success(principal: Principal, started: number, clientAddress: () => string | undefined) {
    emit(
      {
        type: 'authenticate',
        outcome: 'success',
        method: principal.method,
        keyId: principal.keyId,
        accountId: principal.accountId,
      },
      started,
      clientAddress,
    )
    return { ok: true, principal } as const
  }

  function refusal(
    error: unknown,
    started: number,
    clientAddress: () => string | undefined,
    method: AuthenticationMethod | undefined,
    keyId: string | undefined,
  ) {
    const latchkeyError = isLatchkeyError(error)
      ? error
      : new LatchkeyError('ERR_STORE_UNAVAILABLE', 'The key store is unavailable.', { cause: error })
    emit(
      {
        ...failureEvent('authenticate', latchkeyError),
        ...(method ? { method } : {}),
        ...(keyId !== undefined && isPrintableId(keyId) ? { keyId } : {}),
      },
      started,
      clientAddress,
    )
    return { ok: false, error: latchkeyError } as const
  }

  async function answerTokenRequest(
    input: Request | TokenRequestInput,
    connection?: ConnectionInfo,
  ): Promise<HttpDescription> {
    const started = performance.now()
    const state: TokenRequestState = {}
    const clientAddress = clientAddressOf(input, connection)
    try {
      const { key, body } = await processTokenRequest(context, tokenRequestParts(input), state, clientAddress())
      emit(
        {
          type: 'token',
          outcome: 'success',
          method: 'basic',
          keyId: key.id,
          accountId: key.accountId,
        },
        started,
        clientAddress,
      )
      // A fresh headers object each time: some runtimes' Response (e.g. @hono/node-server) write into it.
      return { status: 200, headers: { ...tokenResponseHeaders }, body: JSON.stringify(body) }
    } catch (error) {
      emit(
        {
          ...failureEvent('token', error),
          ...(state.keyId !== undefined && isPrintableId(state.keyId) ? { keyId: state.keyId } : {}),
          ...(state.key ? { accountId: state.key.accountId } : {}),
        },
        started,
        clientAddress,
      )
      return describeError(error, 'token', realm)
    }
  }

  async function handleTokenRequest(request: Request, connection?: ConnectionInfo): Promise<Response> {
    return toResponse(await answerTokenRequest(request, connection))
  }

  return withAuthenticateNow(
    {
      authenticate: (input, connection) => Promise.resolve(authenticateAtOnce(input, connection)),
      checkScopes(principal, required) {
        const missing = missingScopes(principal.scopes, required)
        if (missing.length === 0) return undefined
        return new LatchkeyError('ERR_INSUFFICIENT_SCOPE', 'The request needs a scope the credentials lack.', {
          scope: required,
        })
      },
      handleTokenRequest,
      answerTokenRequest,
      async handle(request, connection) {
        const { pathname } = new URL(request.url)
        if (pathname === paths.token) return handleTokenRequest(request, connection)
        if (pathname !== paths.jwks && pathname !== paths.metadata) return undefined
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          const error = new LatchkeyError('ERR_METHOD_NOT_ALLOWED', 'This endpoint accepts only GET and HEAD.', {
            allow: ['GET', 'HEAD'],
          })
          return toResponse(describeError(error, 'resource', realm))
        }
        try {
          const document = pathname === paths.jwks ? await callStore(storeTimeout, () => ring.jwks()) : metadata
          return new Response(JSON.stringify(document), {
            status: 200,
            headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' },
          })
        } catch (error) {
          return toResponse(describeError(error, 'resource', realm))
        }
      },
      jwks: () => callStore(storeTimeout, () => ring.jwks()),
      metadata: () => metadata,
      describeError: (error, errorContext = 'resource') => describeError(error, errorContext, realm),
      errorResponse: (error, errorContext = 'resource') => toResponse(describeError(error, errorContext, realm)),
      paths,
      close: () => {
        keys.close()
        return usage.close()
      },
    },
    authenticateAtOnce,
  )
}

/** Every `Authorization` value of a Web request. */
function authorizationValues(request: Request): string[] {
  const value = request.headers.get('authorization')
  return value === null ? [] : splitJoined(value)
}

/** Fetch Headers join repeated lines with ", "; Basic and Bearer credentials never hold a comma. */
function splitJoined(value: string): string[] {
  return /^(basic|bearer)\s/i.test(value) && value.includes(',') ? value.split(/\s*,\s*/) : [value]
}

/** What the token endpoint reads, from a Web request or from an adapter's parts. */
function tokenRequestParts(input: Request | TokenRequestInput): TokenRequestParts {
  if (input instanceof Request) {
    return {
      method: input.method,
      url: input.url,
      authorization: authorizationValues(input),
      readForm: () => readFormBody(input),
    }
  }
  return {
    method: input.method,
    url: input.url,
    // The same lines a Web request would show, so that every adapter gives the same answer.
    authorization: input.authorization.flatMap(splitJoined),
    readForm: () => {
      checkFormHeaders(input.contentType, input.contentLength)
      return parseFormBody(input.body)
    },
  }
}

/** Most tokens refused for good that are remembered (at most 4 KB each, see `MAX_TOKEN_LENGTH`). */
const maxRefusedTokens = 1000

function missingCredentials(): LatchkeyError {
  return new LatchkeyError('ERR_CREDENTIALS_MISSING', 'The request carries no credentials.')
}

/**
 * Only ids that look like ids reach audit events: they are attacker-chosen text, and a caller who
 * swaps id and secret must not get the secret logged.
 */
function isPrintableId(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,128}$/.test(value) && !value.startsWith(API_KEY_SECRET_PREFIX)
}

function validIssuer(issuer: string): string {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new TypeError(
      `issuer must be an absolute URL such as https://api.example.com, not ${JSON.stringify(issuer)}.`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('issuer must be an http(s) URL.')
  if (url.search || url.hash) throw new TypeError('issuer must have no query or fragment (RFC 8414 §2).')
  return issuer
}

/** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
function metadataPath(issuer: string): string {
  const path = new URL(issuer).pathname.replace(/\/$/, '')
  return `/.well-known/oauth-authorization-server${path}`
}

function inRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, not ${value}.`)
  }
  return value
}
