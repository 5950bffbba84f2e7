import type { ApiKeyCheck } from '../authenticate/api-key-check.js'
import { signAccessToken, type TokenSettings } from '../bearer/access-token.js'
import { authenticateClient, type ClientRequestState } from '../client-authentication/authenticate-client.js'
import type { ClientRequestParts } from '../client-authentication/client-request-parts.js'
import { LatchkeyError } from '../errors.js'
import { invalidCredentials, invalidRequest } from '../refusals.js'
import { soleAuthorization } from '../request/authorization-header.js'
import { formatScope, missingScopes, parseScope } from '../scope.js'
import type { ApiKeyCredential } from '../store/key-store.js'

/** What the token endpoint needs from the verifier that runs it. */
export interface TokenIssuance {
  /** Seconds. */
  readonly tokenLifetime: number
  readonly tokenSettings: TokenSettings
  readonly apiKeys: ApiKeyCheck
}

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

/** What was learnt about the client before a failure, for audit events. */
export type TokenRequestState = ClientRequestState

/**
 * Processes a client-credentials token request (RFC 6749 §4.4): POST, a form body, client
 * authentication by Basic (form-decoded, §2.3.1) or in the body but never both, an exact
 * `grant_type`, and a scope within the key's. Throws a {@link LatchkeyError} on any refusal.
 * `clientAddress` is the resolved client address, which throttling counts failures by.
 */
export async function processTokenRequest(
  context: TokenIssuance,
  request: ClientRequestParts,
  state: TokenRequestState,
  clientAddress?: string,
): Promise<TokenGrant> {
  if (request.method !== 'POST') {
    throw new LatchkeyError('ERR_METHOD_NOT_ALLOWED', 'The token endpoint accepts only POST.', { allow: ['POST'] })
  }
  const { url } = request
  const authorization = soleAuthorization(request.authorization)
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

  const key = await authenticateClient(context.apiKeys, authorization, form, clientAddress, state)

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
  // A token never outlives its key: its `exp`, and `expires_in` with it, stop at the key's expiry.
  const notAfter = key.expiresAt ? Math.floor(key.expiresAt.getTime() / 1000) : undefined
  const signed = await signAccessToken(context.tokenSettings, {
    keyId: key.id,
    scope,
    lifetime: context.tokenLifetime,
    ...(notAfter === undefined ? {} : { notAfter }),
  })
  // The key expires within the second: a token of no lifetime is no token.
  if (signed.lifetime <= 0) throw invalidCredentials('key_expired')
  const body: TokenResponseBody = {
    access_token: signed.token,
    token_type: 'Bearer',
    expires_in: signed.lifetime,
    ...(scope === '' ? {} : { scope }),
  }
  return { key, body }
}
