import { base64url, type CryptoKey, jwtVerify, SignJWT } from 'jose'
import { LatchkeyError } from '../errors.js'
import { invalidToken } from '../refusals.js'
import type { LoadedKey, SigningKeyRing } from '../signing-keys/signing-key-ring.js'
import {
  type AccessTokenClaims,
  accessTokenAlgorithms,
  accessTokenClaimsOf,
  accessTokenType,
  requiredClaims,
} from './access-token-claims.js'
import { shapeRefusal } from './bearer-token.js'

/** What signing and verifying access tokens needs. Internal. */
export interface TokenSettings {
  readonly ring: SigningKeyRing
  readonly issuer: string
  readonly audience: string
  /** Seconds. */
  readonly clockTolerance: number
  /** Milliseconds since the epoch. */
  readonly now: () => number
  /**
   * The platform's verification in the same turn ({@link VerifyTokenNow}), tried before jose's; the
   * Node entry gives one. Default: none, every token verified by jose.
   */
  readonly verifyNow?: VerifyTokenNow | undefined
}

/** A verified access token: its claims and the `kid` of the key that signed it. */
export interface VerifiedAccessToken {
  readonly claims: AccessTokenClaims
  readonly kid: string
}

/**
 * Verifies a token in the same turn, answering exactly as {@link verifyAccessToken} would (the same
 * claims, or a refusal of the same reason, as final, and as much a forgery): given a token of the
 * canonical shape, the signing key of its `kid` held ready by the ring. `undefined` where it cannot
 * tell without waiting or without jose (a `kid` the ring must load, a `crit` header), and
 * jose decides.
 */
export type VerifyTokenNow = (settings: TokenSettings, token: string) => VerifiedAccessToken | undefined

/** A signed access token and its lifetime. */
export interface SignedAccessToken {
  readonly token: string
  /** Seconds from its `iat` to its `exp`. */
  readonly lifetime: number
}

/**
 * Signs an RFC 9068 access token for `keyId` with the ring's current signing key, valid for
 * `lifetime` seconds but never past `notAfter` (seconds since the epoch, the key's own expiry):
 * the lifetime returned is what is left, possibly 0.
 */
export async function signAccessToken(
  settings: TokenSettings,
  grant: { readonly keyId: string; readonly scope: string; readonly lifetime: number; readonly notAfter?: number },
): Promise<SignedAccessToken> {
  const { kid, alg, key } = await settings.ring.signingKey()
  const iat = Math.floor(settings.now() / 1000)
  const exp = Math.min(iat + grant.lifetime, grant.notAfter ?? Number.POSITIVE_INFINITY)
  const claims: Record<string, unknown> = { client_id: grant.keyId }
  if (grant.scope !== '') claims.scope = grant.scope
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: accessTokenType })
    .setIssuer(settings.issuer)
    .setSubject(grant.keyId)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(base64url.encode(crypto.getRandomValues(new Uint8Array(16))))
    .sign(key)
  return { token, lifetime: Math.max(0, exp - iat) }
}

/** Refusals that no later check could reverse (see {@link isFinalRefusal}). */
const finalRefusals = new WeakSet<LatchkeyError>()

/**
 * Whether `error`, thrown by {@link verifyAccessToken}, refuses the token for good: it is malformed,
 * expired, carries a wrong claim, or its signature fails under a key this verifier knows. A token
 * naming a `kid` the verifier does not know is not refused for good: another instance may have just
 * rotated that key in.
 */
export function isFinalRefusal(error: unknown): error is LatchkeyError {
  return error instanceof LatchkeyError && finalRefusals.has(error)
}

/**
 * Whether `error`, thrown by {@link verifyAccessToken}, is a failed signature check under a key this
 * verifier holds: the token was altered or signed by someone else. A client never sends one by mistake.
 */
export function isForgery(error: unknown): boolean {
  return (
    isFinalRefusal(error) &&
    (error.cause as { code?: unknown } | undefined)?.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
  )
}

/**
 * Verifies an access token per RFC 8725 and RFC 9068: a known `kid` whose key fixes the algorithm,
 * exact `typ`, `iss` and `aud`, and `exp` within the clock tolerance. Throws `ERR_INVALID_TOKEN`;
 * store failures while loading keys propagate as they are.
 */
export function verifyAccessToken(
  settings: TokenSettings,
  token: string,
): VerifiedAccessToken | Promise<VerifiedAccessToken> {
  // One spelling per token: only the canonical one is ever verified, and so cached as verified.
  const misshapen = shapeRefusal(token)
  if (misshapen) throw final(invalidToken(misshapen))
  return settings.verifyNow?.(settings, token) ?? verifyWithJose(settings, token)
}

/** {@link verifyAccessToken} by jose's `jwtVerify`, for a token of the canonical shape. */
export async function verifyWithJose(settings: TokenSettings, token: string): Promise<VerifiedAccessToken> {
  let storeError: unknown
  // The token names a `kid` this verifier has no key for (yet): its refusal is not final.
  let unknownKid = false
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      (header) => {
        if (header.kid === undefined) throw invalidToken('token_invalid')
        // A key the ring holds ready is returned as it is: no promise to settle per token.
        const ready = settings.ring.verificationKeyNow(header.kid)
        if (ready) return keyFor(ready, header.alg)
        return settings.ring.verificationKey(header.kid).then(
          (loaded) => {
            unknownKid = loaded === undefined
            return keyFor(loaded, header.alg)
          },
          (error: unknown) => {
            storeError = error
            throw error
          },
        )
      },
      {
        issuer: settings.issuer,
        audience: settings.audience,
        typ: accessTokenType,
        algorithms: [...accessTokenAlgorithms],
        clockTolerance: settings.clockTolerance,
        currentDate: new Date(settings.now()),
        requiredClaims: [...requiredClaims],
      },
    )
    return { claims: accessTokenClaimsOf(payload), kid: protectedHeader.kid ?? '' }
  } catch (error) {
    if (storeError !== undefined) throw storeError
    const code = (error as { code?: unknown }).code
    const refusal =
      error instanceof LatchkeyError
        ? error
        : invalidToken(code === 'ERR_JWT_EXPIRED' ? 'token_expired' : 'token_invalid', error)
    throw unknownKid ? refusal : final(refusal)
  }
}

/** RFC 8725 §3.1: the key decides the algorithm, never the token. */
function keyFor(loaded: LoadedKey | undefined, alg: string | undefined): CryptoKey {
  if (loaded && loaded.alg === alg) return loaded.key
  throw invalidToken('token_invalid')
}

/** Marks `error`, a refusal of the token itself, as final ({@link isFinalRefusal}), and returns it. */
export function final(error: LatchkeyError): LatchkeyError {
  finalRefusals.add(error)
  return error
}
