import {
  type AccessTokenClaims,
  type HttpAnswer,
  type LatchkeyErrorCode,
  MAX_TOKEN_LENGTH,
  type Principal,
  type Verifier,
} from '@latchkey/verifier'
import { activeToken, inactiveToken } from '../gateway/gateway-answers.js'
import type { IntrospectionResponse } from './introspection-response.js'

// RFC 7515 §7.1: the JWS Compact Serialization's characters. Anything else is no token of ours, and
// the gate keeps `Bearer ${token}` one token: the Authorization grammar would drop a leading space.
const compactCharacters = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** Refusals of the token itself: every one of them is `{"active":false}`, whatever its reason. */
const tokenRefusals: ReadonlySet<LatchkeyErrorCode> = new Set(['ERR_INVALID_TOKEN', 'ERR_INVALID_REQUEST'])

/**
 * The RFC 7662 §2.2 answer for `token`: active, with its claims, when the verifier would accept it as
 * a Bearer token right now (its signature, `iss`, `aud` and `exp`, and its key and account usable
 * now), else `{"active":false}` with the same bytes whatever the reason (§2.2: the server need not
 * say why). A store that does not answer is the verifier's 503, not "inactive": the token may be
 * valid, and the resource server had better say so than refuse it.
 *
 * Throttling: the token is checked with no client address. The verifier counts a Bearer token whose
 * signature fails against the client's address alone (its per-address counter: 100 failures in 15
 * minutes by default block that address for every key and every new token), never against a key id.
 * Here the client is the resource server relaying its own callers' tokens, so counting them against
 * its address would let anyone who sends it forged tokens have it throttled: its own introspections,
 * its Basic and token requests, and everyone behind its address. Without an address the check is
 * unthrottled; the caller has authenticated with a key holding `latchkey:introspect`, and its own
 * credential check is throttled as usual. A signature cannot be found by trying, so nothing is
 * learnt from an unthrottled "inactive".
 */
export async function introspectToken(verifier: Verifier, token: string): Promise<HttpAnswer> {
  if (token.length > MAX_TOKEN_LENGTH || !compactCharacters.test(token)) return inactiveToken()
  const result = await verifier.authenticate({ authorization: [`Bearer ${token}`] })
  if (result.ok && result.principal.method === 'bearer') return activeToken(describe(result.principal))
  if (!result.ok && !tokenRefusals.has(result.error.code)) return verifier.answerError(result.error, 'token')
  return inactiveToken()
}

/** The members this answer sets itself: another claim never overrides them. */
const own = new Set(['active', 'scope', 'client_id', 'sub', 'aud', 'iss', 'exp', 'iat', 'jti', 'token_type'])

function describe(principal: Principal): IntrospectionResponse {
  const claims = principal.claims as AccessTokenClaims
  const other = Object.entries(claims).filter(([name]) => !own.has(name))
  return {
    active: true,
    // The scopes the token still has: a key narrowed since narrows its tokens at once.
    ...(principal.scopes.length > 0 ? { scope: principal.scopes.join(' ') } : {}),
    client_id: claims.client_id,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
    token_type: 'Bearer',
    ...Object.fromEntries(other),
  }
}
