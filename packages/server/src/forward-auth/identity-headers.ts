import type { Principal } from '@latchkey/verifier'

/**
 * The headers a decision endpoint answers an allowed request with, for the proxy to copy to the
 * upstream. The documented proxy configs also remove any copy a client sent, so the upstream can
 * trust them.
 */
export const IDENTITY_HEADERS = Object.freeze({
  keyId: 'X-Latchkey-Key-Id',
  accountId: 'X-Latchkey-Account-Id',
  /** Space-separated, as the OAuth `scope` parameter (RFC 6749 §3.3). */
  scopes: 'X-Latchkey-Scopes',
  /** Percent-encoded UTF-8 (a field value is bytes; a name may hold any character); absent without a name. */
  keyName: 'X-Latchkey-Key-Name',
  /** base64url (RFC 4648 §5, no padding) of the metadata's JSON. */
  metadata: 'X-Latchkey-Metadata',
  /** `basic` or `bearer`. */
  method: 'X-Latchkey-Auth-Method',
})

/** The identity headers for `principal`: ids and scopes as they are (printable ASCII by construction). */
export function identityHeaders(principal: Principal): Record<string, string> {
  const headers: Record<string, string> = {
    [IDENTITY_HEADERS.keyId]: principal.keyId,
    [IDENTITY_HEADERS.accountId]: principal.accountId,
    [IDENTITY_HEADERS.scopes]: principal.scopes.join(' '),
    [IDENTITY_HEADERS.metadata]: encodedMetadata(principal.metadata),
    [IDENTITY_HEADERS.method]: principal.method,
  }
  if (principal.keyName !== null) headers[IDENTITY_HEADERS.keyName] = encodeURIComponent(principal.keyName)
  return headers
}

/**
 * Each metadata object's header value, made once: a principal's metadata is the object the verifier
 * cached with the key, so every decision for the key reads the same one, until the key changes.
 */
const encoded = new WeakMap<object, string>()

function encodedMetadata(metadata: Principal['metadata']): string {
  let value = encoded.get(metadata)
  if (value === undefined) {
    value = Buffer.from(JSON.stringify(metadata), 'utf8').toString('base64url')
    encoded.set(metadata, value)
  }
  return value
}
