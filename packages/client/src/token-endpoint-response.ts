import { LatchkeyClientError } from './errors.js'

/** A usable token response (RFC 6749 §5.1), after validation. */
export interface TokenEndpointResponse {
  /** The access token: opaque to the client (RFC 9068 §6), never parsed. */
  readonly accessToken: string
  /** Seconds the token lives, after the default and the clamp applied. */
  readonly expiresIn: number
  /** Whether `expires_in` was missing or unusable, so {@link ExpiryLimits.defaultExpiresIn} was used. */
  readonly expiresInDefaulted: boolean
  /** The granted scope when the server named one; otherwise the requested scope applies (RFC 6749 §5.1). */
  readonly scope: string | undefined
}

/** Bounds on `expires_in`, in seconds. */
export interface ExpiryLimits {
  /** Used when `expires_in` is missing, zero, negative or not a number. */
  readonly defaultExpiresIn: number
  /** Longer lifetimes are cut to this. */
  readonly maxExpiresIn: number
}

/**
 * `expires_in` in seconds when it is usable: a positive finite number, or a string of digits
 * (some servers quote it). Anything else (missing, 0, negative, NaN, `1e309`, `"1h"`) is `undefined`.
 */
export function parseExpiresIn(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : value
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return undefined
  return seconds
}

/**
 * Validates a 2xx token-endpoint JSON body. The token must be a non-empty string of visible ASCII
 * (it goes into a header), and `token_type` must be `Bearer` in any case (RFC 6749 §5.1, §7.1): a
 * DPoP or MAC token sent as Bearer would be refused or, worse, accepted without its proof.
 */
export function parseTokenEndpointResponse(body: unknown, limits: ExpiryLimits): TokenEndpointResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The token endpoint answered JSON that is not an object.')
  }
  const fields = body as Record<string, unknown>
  const accessToken = fields.access_token
  if (typeof accessToken !== 'string' || !/^[\x21-\x7E]+$/.test(accessToken)) {
    throw invalid('The token endpoint answered without a usable access_token (a non-empty string of visible ASCII).')
  }
  const tokenType = fields.token_type
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    // Only the shape is named: the type itself is server-chosen text.
    throw invalid(
      'The token endpoint answered a token_type other than Bearer; this client sends Bearer tokens only (RFC 6750). Configure the server to issue Bearer tokens.',
    )
  }
  const expiresIn = parseExpiresIn(fields.expires_in)
  const scope = typeof fields.scope === 'string' ? fields.scope : undefined
  return {
    accessToken,
    expiresIn: Math.min(expiresIn ?? limits.defaultExpiresIn, limits.maxExpiresIn),
    expiresInDefaulted: expiresIn === undefined,
    scope,
  }
}

function invalid(message: string): LatchkeyClientError {
  return new LatchkeyClientError('ERR_TOKEN_RESPONSE', message)
}
