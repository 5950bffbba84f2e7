import { type EndpointSettings, type OAuthEndpoint, postWithClientAuthentication } from './client-authenticated-post.js'
// Type-only, for the TSDoc link.
import type { LatchkeyClientError } from './errors.js'

/** Everything a revocation request needs, fixed when the client is created. */
export interface RevocationSettings extends EndpointSettings {
  readonly revocationUrl: URL
}

/**
 * Revokes an access token at the revocation endpoint (RFC 7009 §2.1), the client authenticated as at
 * the token endpoint. Any 2xx is success and its body is ignored (§2.2: the status says it all;
 * Latchkey answers 200 whether or not the token was one of the client's valid tokens). One attempt,
 * never retried: callers forget the token whatever happens here, and it expires by itself.
 * Rejects with the {@link LatchkeyClientError} of the failure.
 */
export async function revokeToken(settings: RevocationSettings, token: string, signal?: AbortSignal): Promise<void> {
  await settings.lifetime.during(async (closing) => {
    // §2.1: the hint saves the server a lookup; every token this client holds is an access token.
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' })
    const answer = await postWithClientAuthentication(settings, {
      endpoint: revocationEndpoint(settings.revocationUrl),
      form,
      closing,
      signal,
      redact: [token],
    })
    if (!answer.ok) throw answer.error
  })
}

function revocationEndpoint(url: URL): OAuthEndpoint {
  return {
    url,
    name: 'revocation endpoint',
    option: 'revocationUrl',
    expectedSize: 'a revocation response is empty',
  }
}
