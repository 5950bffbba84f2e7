import type { AuthorizationServerMetadata } from './discovery/metadata.js'
import type { LatchkeyError } from './errors.js'
import type { ErrorContext } from './http/answers.js'
import type { HttpAnswer } from './http/http-answer.js'
import type { Principal } from './principal.js'
import type { JSONWebKeySet } from './signing-keys/signing-key-ring.js'
import type { AuthenticateRequestOptions } from './usage-limits/request-cost.js'

export type { AuthenticateRequestOptions } from './usage-limits/request-cost.js'

/** What an adapter knows of a request beyond what the request itself says. */
export interface ConnectionInfo {
  /**
   * The address of the connection's peer (Node's `socket.remoteAddress`, Bun's `server.requestIP`),
   * when known: throttling counts failures by the client's address, which trusted proxies may tell.
   */
  readonly clientAddress?: string | undefined
}

/** Request headers as Node (`req.headers`) or Fetch (`Headers`) holds them. */
export type RequestHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>

/** What a request sent for authentication: a Web `Request`, or the parts an adapter extracted. */
export type AuthenticationInput =
  | Request
  | {
      /** Every `Authorization` header value, one per header line. */
      readonly authorization: readonly string[]
      /** The request URL (absolute, or path and query), to refuse tokens in the query. */
      readonly url?: string
      /** The request headers, read for the forwarding header when `trustedProxies` is set. */
      readonly headers?: RequestHeaders
    }

/**
 * A request to one of the verifier's {@link Verifier.paths} as a server without Web `Request`s holds
 * it (Node adapters): its parts, the body already read, so that no `Request` is built.
 */
export interface EndpointInput {
  readonly method: string
  /** The request URL, absolute or path and query: it picks the endpoint, and a token request's query is refused. */
  readonly url: string
  /** Every `Authorization` header value, one per header line. */
  readonly authorization: readonly string[]
  readonly contentType: string | undefined
  readonly contentLength?: string | undefined
  /**
   * The body, read up to one byte past `MAX_FORM_BODY_BYTES` (enough to refuse it), or the text a
   * body parser decoded. Ignored for `GET` and `HEAD`.
   */
  readonly body: Uint8Array | string
  /** The request headers, read for the forwarding header when `trustedProxies` is set. */
  readonly headers?: RequestHeaders
}

/** The outcome of {@link Verifier.authenticate}: a principal, or the error to answer with. */
export type AuthenticationResult =
  | {
      readonly ok: true
      readonly principal: Principal
      /**
       * Header fields for the API's own answer: the RateLimit fields of a key or account with rate
       * limits (see `rateLimitFields`). Absent for keys without rate limits. Adapters set them on
       * the response of the request.
       */
      readonly headers?: Readonly<Record<string, string>>
    }
  | { readonly ok: false; readonly error: LatchkeyError }

/** The paths of the endpoints a verifier serves. */
export interface VerifierPaths {
  /** The token endpoint (RFC 6749 §3.2). */
  readonly token: string
  /** The JWKS (RFC 7517 §5). */
  readonly jwks: string
  /** The authorization server metadata (RFC 8414 §3). */
  readonly metadata: string
  /** The token revocation endpoint (RFC 7009 §2). */
  readonly revocation: string
  /** The protected-resource metadata (RFC 9728 §3), when the `protectedResource` option serves it. */
  readonly protectedResource?: string
}

/** A request to an OAuth endpoint of the server's own that authenticates its client (RFC 6749 §2.3.1). */
export interface ClientAuthenticationInput {
  /** Every `Authorization` header value, one per header line. */
  readonly authorization: readonly string[]
  /** The parameters of the request's form body, which may carry `client_id` and `client_secret`. */
  readonly form: ReadonlyMap<string, string>
  /** The request headers, read for the forwarding header when `trustedProxies` is set. */
  readonly headers?: RequestHeaders
}

/**
 * Authenticates requests and answers the token endpoint, JWKS and metadata. Framework-free: every
 * answer is an {@link HttpAnswer}, which adapters write as it is (`toResponse` makes a Web `Response`).
 */
export interface Verifier {
  /**
   * Authenticates a request's `Authorization` header, Basic or Bearer, and enforces the usage limits
   * of its key (rate limits, then credits, the request costing `options.cost`). Never rejects for bad
   * input; throws a `TypeError` for a `cost` that is not a whole number from 1 to `MAX_CREDIT_COST`.
   */
  authenticate(
    input: AuthenticationInput,
    connection?: ConnectionInfo,
    options?: AuthenticateRequestOptions,
  ): Promise<AuthenticationResult>
  /**
   * {@link Verifier.authenticate}, with its result given as it is when memory vouches for the request
   * (a repeated correct secret, or a token verified before, of a key still usable and without usage
   * limits), so that a server goes on in the same turn with no promise to settle; otherwise the
   * promise of `authenticate` (always, for a key with rate limits or credits, which are counted). It
   * decides exactly as `authenticate` does: an implementation that replaces one replaces both.
   */
  authenticateNow(
    input: AuthenticationInput,
    connection?: ConnectionInfo,
    options?: AuthenticateRequestOptions,
  ): AuthenticationResult | Promise<AuthenticationResult>
  /**
   * Authenticates the client of an OAuth endpoint the server adds itself (a token introspection
   * endpoint, say) exactly as the token endpoint does (RFC 6749 §2.3.1): Basic credentials or
   * `client_id` and `client_secret` in the form, never both, under the same throttling. The
   * principal is the key's, `method: 'basic'`; a refusal is answered with
   * `answerError(error, 'token')`. Never rejects for bad input. Optional so that other
   * implementations of this interface stay valid.
   */
  authenticateClient?(input: ClientAuthenticationInput, connection?: ConnectionInfo): Promise<AuthenticationResult>
  /**
   * The refusal when `principal` lacks any of `required` (`ERR_INSUFFICIENT_SCOPE`), else `undefined`.
   * Throws when there is no principal: a scope guard mounted before authentication is a bug to fix,
   * not a request to refuse.
   */
  checkScopes(principal: Principal | undefined, required: readonly string[]): LatchkeyError | undefined
  /**
   * Answers a request to one of {@link Verifier.paths} (token and revocation endpoints, JWKS, the
   * metadata documents), or
   * `undefined` for any other path. Never rejects.
   */
  answer(input: Request | EndpointInput, connection?: ConnectionInfo): Promise<HttpAnswer | undefined>
  /**
   * The answer to `error` (a refusal from {@link Verifier.authenticate} or {@link Verifier.checkScopes}):
   * the one mapping from errors to HTTP. `context`: `'resource'` (RFC 6750, the default) or `'token'`.
   */
  answerError(error: unknown, context?: ErrorContext): HttpAnswer
  /** The public signing keys. */
  jwks(): Promise<JSONWebKeySet>
  /** The RFC 8414 metadata. */
  metadata(): AuthorizationServerMetadata
  readonly paths: VerifierPaths
  /**
   * Resolves once the signing key that signs is loaded and usable (the first one generated, when the
   * store has none); rejects with `ERR_KEY_ENCRYPTION` when it is encrypted and no key-encryption
   * key, or another one, is configured, or with `ERR_STORE_UNAVAILABLE`. Await it at startup, so a
   * misconfigured server stops with a one-line message instead of answering 500 to token requests.
   * Optional so that other implementations of this interface stay valid.
   */
  ready?(): Promise<void>
  /**
   * Ends the verifier's subscription to the store's change feed, if it made one, forgets cached
   * statuses, and writes the key uses not yet written (`lastUsedAt`); the promise settles once they
   * are written or given up, and never rejects. The store itself stays open: close it separately,
   * after this promise. Optional so that other implementations of this interface stay valid.
   */
  close?(): Promise<void> | void
}
