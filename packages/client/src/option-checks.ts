import { type ApiKey, redactedApiKey } from './api-key.js'
import type { ClientAuthentication } from './client-authenticated-post.js'
import type { ClientMode } from './client-options.js'
import { parseUrlOption } from './endpoint-url.js'
import { LatchkeyClientError } from './errors.js'

/** The error for an option the caller must fix; the message says how. */
export function invalidOption(message: string, cause?: unknown): LatchkeyClientError {
  return new LatchkeyClientError('ERR_INVALID_OPTIONS', message, cause === undefined ? {} : { cause })
}

/** The key, checked for `mode` and with its secret hidden from logs. */
export function checkApiKey(apiKey: ApiKey | undefined, mode: ClientMode): ApiKey {
  if (typeof apiKey?.id !== 'string' || apiKey.id === '') {
    throw new LatchkeyClientError(
      'ERR_CREDENTIALS_MISSING',
      'apiKey.id is missing: pass apiKey: { id, secret }, or load apiKey.properties with @latchkey/client/node.',
    )
  }
  if (typeof apiKey.secret !== 'string' || apiKey.secret === '') {
    throw new LatchkeyClientError(
      'ERR_CREDENTIALS_MISSING',
      'apiKey.secret is missing: pass apiKey: { id, secret }, or load apiKey.properties with @latchkey/client/node.',
    )
  }
  // RFC 7617 §2: the user-id of Basic cannot contain a colon. (At the token endpoint it is form-encoded.)
  if (mode === 'basic' && apiKey.id.includes(':')) {
    throw invalidOption(`apiKey.id contains ':', which HTTP Basic cannot carry; use mode 'client_credentials'.`)
  }
  return redactedApiKey(apiKey)
}

/** The `tokenUrl` option, or `<baseUrl>/oauth/token` without it. */
export function tokenUrlOf(tokenUrl: string | URL | undefined, baseUrl: URL | undefined): URL {
  if (tokenUrl !== undefined) return parseUrlOption(tokenUrl, 'tokenUrl')
  if (!baseUrl)
    throw invalidOption(`Set tokenUrl (or baseUrl, for <baseUrl>/oauth/token) in mode 'client_credentials'.`)
  return new URL(`${baseUrl.pathname.replace(/\/+$/, '')}/oauth/token`, baseUrl)
}

/** The `revocationUrl` option, or the sibling `revoke` of the token endpoint without it (`…/oauth/token` → `…/oauth/revoke`). */
export function revocationUrlOf(revocationUrl: string | URL | undefined, tokenUrl: URL): URL {
  if (revocationUrl !== undefined) return parseUrlOption(revocationUrl, 'revocationUrl')
  return new URL('revoke', tokenUrl)
}

export function clientAuthenticationOf(value: ClientAuthentication | undefined): ClientAuthentication {
  if (value === undefined) return 'client_secret_basic'
  if (value !== 'client_secret_basic' && value !== 'client_secret_post') {
    throw invalidOption(`clientAuthentication must be 'client_secret_basic' or 'client_secret_post'.`)
  }
  return value
}

export function positive(name: string, value: number, max: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > max) throw invalidOption(`${name} must be > 0 and ≤ ${max}.`)
  return value
}

export function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw invalidOption(`${name} must be a finite number ≥ 0.`)
  return value
}
