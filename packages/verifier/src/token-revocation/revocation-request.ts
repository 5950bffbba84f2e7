import type { ApiKeyCheck } from '../authenticate/api-key-check.js'
import { type TokenSettings, verifyAccessToken } from '../bearer/access-token.js'
import type { VerifiedTokenCache } from '../bearer/verified-token-cache.js'
import { authenticateClient, type ClientRequestState } from '../client-authentication/authenticate-client.js'
import type { ClientRequestParts } from '../client-authentication/client-request-parts.js'
import { isLatchkeyError, LatchkeyError } from '../errors.js'
import { invalidRequest } from '../refusals.js'
import { soleAuthorization } from '../request/authorization-header.js'
import type { ApiKeyCredential, KeyStore } from '../store/key-store.js'
import { callStore } from '../store/store-call.js'

/** What the revocation endpoint needs from the verifier that runs it. Internal. */
export interface TokenRevocation {
  readonly store: KeyStore
  /** Milliseconds. */
  readonly storeTimeout: number
  readonly tokenSettings: TokenSettings
  readonly apiKeys: ApiKeyCheck
  readonly verifiedTokens: VerifiedTokenCache
}

/**
 * Processes a token revocation request (RFC 7009 §2.1): POST, a form body, the client authenticated
 * as at the token endpoint, and a `token`. An access token of the client's own is remembered as
 * revoked until no verifier would accept it anyway; anything else (a malformed, expired or forged
 * token, another client's) is left alone and answered the same, so that the endpoint tells no one
 * whether a token is valid (§2.2). `token_type_hint` is read as the hint it is: every token here is
 * an access token. Returns the authenticated client's key; throws a {@link LatchkeyError} on a refusal.
 */
export async function processRevocationRequest(
  context: TokenRevocation,
  request: ClientRequestParts,
  state: ClientRequestState,
  clientAddress?: string,
): Promise<ApiKeyCredential> {
  if (request.method !== 'POST') {
    throw new LatchkeyError('ERR_METHOD_NOT_ALLOWED', 'The revocation endpoint accepts only POST.', { allow: ['POST'] })
  }
  const authorization = soleAuthorization(request.authorization)
  if (request.url.includes('?') && new URL(request.url, 'http://localhost').searchParams.size > 0) {
    // As at the token endpoint: parameters go in the body, where no access log records them.
    throw invalidRequest('Send revocation request parameters in the body, not in the URL.')
  }
  const form = await request.readForm()
  const key = await authenticateClient(context.apiKeys, authorization, form, clientAddress, state)
  const token = form.get('token')
  if (token === undefined) throw invalidRequest('The token parameter is missing.')
  const { store, storeTimeout, tokenSettings, verifiedTokens } = context
  if (!store.revokeAccessToken) {
    // RFC 7009 §2.2.1: the server does not support revoking this type of token.
    throw new LatchkeyError(
      'ERR_UNSUPPORTED_TOKEN_TYPE',
      "This server's key store cannot revoke single access tokens; revoke the API key instead.",
    )
  }
  const claims = await tokenClaims(tokenSettings, verifiedTokens, token)
  // RFC 7009 §2.1: a client revokes only its own tokens; another's is left alone, and not told apart.
  if (claims === undefined || claims.client_id !== key.id) return key
  const expiresAt = new Date((claims.exp + tokenSettings.clockTolerance) * 1000)
  const now = new Date(tokenSettings.now())
  await callStore(storeTimeout, () => store.revokeAccessToken?.({ jti: claims.jti, keyId: key.id, expiresAt }, now))
  return key
}

/** The claims of `token` when it is a valid access token of this issuer, else `undefined`; store failures throw. */
async function tokenClaims(settings: TokenSettings, verifiedTokens: VerifiedTokenCache, token: string) {
  const known = verifiedTokens.get(token, settings.now() / 1000, settings.clockTolerance)
  if (known) return known.claims
  try {
    return (await verifyAccessToken(settings, token)).claims
  } catch (error) {
    if (isLatchkeyError(error) && error.code === 'ERR_INVALID_TOKEN') return undefined
    throw error
  }
}
