import type { JWTPayload } from 'jose'
import { invalidToken } from '../refusals.js'

/** The claims Latchkey puts in an access token (RFC 9068 §2.2). */
export interface AccessTokenClaims extends JWTPayload {
  readonly iss: string
  readonly sub: string
  readonly aud: string
  readonly client_id: string
  readonly iat: number
  readonly exp: number
  readonly jti: string
  readonly scope?: string
}

/** What an access token's claims are checked against: the token settings' part of it. */
export interface ClaimExpectations {
  readonly issuer: string
  readonly audience: string
  /** Seconds. */
  readonly clockTolerance: number
  /** Milliseconds since the epoch. */
  readonly now: () => number
}

/** RFC 9068 §2.1: the media type of a JWT access token, in its short form. */
export const accessTokenType = 'at+jwt'

/** The JWS algorithms an access token may name; its key must be of the same one (RFC 8725 §3.1). */
export const accessTokenAlgorithms: readonly string[] = ['EdDSA', 'ES256']

/** The claims every access token carries, besides `iss` and `aud`. */
export const requiredClaims: readonly string[] = ['iat', 'exp', 'sub', 'client_id', 'jti']

/**
 * The checks of an access token's claims that jose's `jwtVerify` does not make: `client_id` is the
 * key id in `sub`, and `scope`, when present, a string. Throws `ERR_INVALID_TOKEN`.
 */
export function accessTokenClaimsOf(payload: Record<string, unknown>): AccessTokenClaims {
  if (typeof payload.client_id !== 'string' || payload.client_id !== payload.sub) throw invalidToken('token_invalid')
  if (payload.scope !== undefined && typeof payload.scope !== 'string') throw invalidToken('token_invalid')
  return payload as AccessTokenClaims
}

/**
 * Checks a signed token's protected header and claims as jose's `jwtVerify` does with the options
 * {@link verifyAccessToken} gives it, in the same order, so that a verification outside jose answers
 * every token as jose would: `typ`, the claims present, `iss`, `aud`, numeric `iat` and `nbf`, `nbf`
 * reached, then `exp` not passed (`token_expired`, the only refusal told apart), then
 * {@link accessTokenClaimsOf}. Throws `ERR_INVALID_TOKEN`; the caller marks the refusal final.
 */
export function checkAccessTokenClaims(
  settings: ClaimExpectations,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): AccessTokenClaims {
  const typ = header.typ
  if (typeof typ !== 'string' || normalizedType(typ) !== normalizedAccessTokenType) throw invalidToken('token_invalid')
  for (const claim of presentClaims) if (!Object.hasOwn(claims, claim)) throw invalidToken('token_invalid')
  if (claims.iss !== settings.issuer || !hasAudience(claims.aud, settings.audience)) throw invalidToken('token_invalid')
  const now = Math.floor(new Date(settings.now()).getTime() / 1000)
  const { iat, nbf, exp } = claims
  if (typeof iat !== 'number' || (nbf !== undefined && typeof nbf !== 'number')) throw invalidToken('token_invalid')
  if (nbf !== undefined && nbf > now + settings.clockTolerance) throw invalidToken('token_invalid')
  if (typeof exp !== 'number') throw invalidToken('token_invalid')
  if (exp <= now - settings.clockTolerance) throw invalidToken('token_expired')
  return accessTokenClaimsOf(claims)
}

/** jose's reading of a `typ`: case-insensitive, `application/` implied when no `/` is written. */
function normalizedType(value: string): string {
  const lower = value.toLowerCase()
  return value.includes('/') ? lower : `application/${lower}`
}

const normalizedAccessTokenType = normalizedType(accessTokenType)
const presentClaims = [...requiredClaims, 'aud', 'iss']

function hasAudience(aud: unknown, audience: string): boolean {
  return typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience)
}
