import { signAccessToken } from './access-token.js'
import { parseAuthorization } from './authorization-header.js'
import { LatchkeyError } from './errors.js'
import type { ApiKeyCredential } from './key-store.js'
import { formatScope, missingScopes, parseScope } from './scope.js'
import type { VerifierContext } from './verifier-context.js'

/** The success body of a token request (RFC 6749 §5.1). There is no refresh token in this grant. */
export interface TokenResponseBody {
  readonly access_token: string
  readonly token_type: 'Bearer'
  /** Seconds until the token expires. */
  readonly expires_in: number
  readonly scope?: string
}

/** A granted token request: what to answer and, for audit events, to whom. */
export interface TokenGrant {
  readonly key: ApiKeyCredential
  readonly body: TokenResponseBody
}

/**
 * A token request as a Node adapter (or any server without Web `Request`s) holds it: the parts the
 * token endpoint reads, with the body already read, so no Web `Request` and `Response` are built.
 * {@link Verifier.answerTokenRequest} takes it, or a `Request`.
 */
export interface TokenRequestInput {
  readonly method: string
  /** The request URL, absolute or path and query: a query is refused. */
  readonly url: string
  /** Every `Authorization` header value, one per header line. */
  readonly authorization: readonly string[]
  readonly contentType: string | undefined
  readonly contentLength?: string | undefined
  /**
   * The body, read up to one byte past `MAX_FORM_BODY_BYTES` (enough to refuse it), or the text a
   * body parser decoded. Ignored for `GET` and `HEAD`, which are refused.
   */
  readonly body: Uint8Array | string
  /** The address of the connection's peer, when known: throttling counts failures by client address. */
  readonly clientAddress?: string | undefined
  /** The request headers, read for the forwarding header when `trustedProxies` is set. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>
}

/** What the token endpoint reads of a request, whichever form it came in. Internal. */
export interface TokenRequestParts {
  readonly method: string
  readonly url: string
  readonly authorization: readonly string[]
  readForm(): Promise<Map<string, string>> | Map<string, string>
}

/** What was learnt about the client before a failure, for audit events. */
export interface TokenRequestState {
  keyId?: string
  key?: ApiKeyCredential
}

/**
 * Processes a client-credentials token request (RFC 6749 §4.4): POST, a form body, client
 * authentication by Basic (form-decoded, §2.3.1) or in the body but never both, an exact
 * `grant_type`, and a scope within the key's. Throws a {@link LatchkeyError} on any refusal.
 * `clientAddress` is the resolved client address, which throttling counts failures by.
 */
export async function processTokenRequest(
  context: VerifierContext,
  request: TokenRequestParts,
  state: TokenRequestState,
  clientAddress?: string,
): Promise<TokenGrant> {
  if (request.method !== 'POST') {
    throw new LatchkeyError('ERR_METHOD_NOT_ALLOWED', 'The token endpoint accepts only POST.', { allow: ['POST'] })
  }
  const { authorization, url } = request
  if (authorization.length > 1) throw invalidRequest('The request has more than one Authorization header.')
  if (url.includes('?') && new URL(url, 'http://localhost').searchParams.size > 0) {
    // RFC 6749 §3.2: parameters go in the body; a secret in a URL ends up in logs.
    throw invalidRequest('Send token request parameters in the body, not in the URL.')
  }
  const form = await request.readForm()

  const grantType = form.get('grant_type')
  if (grantType === undefined) throw invalidRequest('The grant_type parameter is missing.')
  if (grantType !== 'client_credentials') {
    throw new LatchkeyError('ERR_UNSUPPORTED_GRANT_TYPE', 'Only the client_credentials grant is supported.')
  }

  const { keyId, secret } = clientCredentials(authorization[0], form)
  state.keyId = keyId
  const key = await context.checkCredentials(keyId, secret, clientAddress)
  state.key = key

  const requested = form.get('scope')
  const scopes = requested === undefined ? [...key.scopes] : parseScope(requested)
  if (scopes === undefined) throw new LatchkeyError('ERR_INVALID_SCOPE', 'The scope parameter is malformed.')
  if (missingScopes(key.scopes, scopes).length > 0) {
    throw new LatchkeyError('ERR_INVALID_SCOPE', 'The requested scope exceeds the scope of the API key.')
  }
  const resource = form.get('resource')
  if (resource !== undefined && resource !== context.tokenSettings.audience) {
    // RFC 8707 §2: this server issues tokens for one resource, its audience.
    throw new LatchkeyError('ERR_INVALID_TARGET', 'The requested resource is not served here.')
  }

  const scope = formatScope(scopes)
  const accessToken = await signAccessToken(context.tokenSettings, { keyId, scope, lifetime: context.tokenLifetime })
  const body: TokenResponseBody = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: context.tokenLifetime,
    ...(scope === '' ? {} : { scope }),
  }
  return { key, body }
}

/** The headers of every token response (RFC 6749 §5.1). */
export const tokenResponseHeaders: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
}

function clientCredentials(
  authorization: string | undefined,
  form: Map<string, string>,
): { keyId: string; secret: string } {
  const bodyId = form.get('client_id')
  const bodySecret = form.get('client_secret')
  if (authorization !== undefined) {
    const credentials = parseAuthorization(authorization)
    if (credentials.scheme !== 'basic') throw missingClient()
    if (bodySecret !== undefined) {
      throw invalidRequest('Authenticate the client with Basic or with client_secret in the body, not both.')
    }
    const keyId = formDecode(credentials.userId)
    // A client_id beside Basic is tolerated only when it names the same client (RFC 6749 §2.3.1).
    if (bodyId !== undefined && bodyId !== keyId) {
      throw invalidRequest('The client_id parameter does not match the Basic credentials.')
    }
    return { keyId, secret: formDecode(credentials.password) }
  }
  if (bodyId === undefined || bodySecret === undefined) throw missingClient()
  return { keyId: bodyId, secret: bodySecret }
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are put in Basic credentials. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '))
  } catch {
    throw invalidRequest('The Basic credentials are not valid form-urlencoded text.')
  }
}

function missingClient(): LatchkeyError {
  return new LatchkeyError('ERR_CREDENTIALS_MISSING', 'The token request carries no client credentials.')
}

function invalidRequest(message: string): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_REQUEST', message)
}
