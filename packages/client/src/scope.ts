import { LatchkeyClientError } from './errors.js'

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/**
 * A scope as sent and as cached: tokens deduplicated, sorted and joined by single spaces, so
 * `'write read'` and `['read', 'write']` share one token and `'read'` never gets a `'read write'` one.
 */
export function normalizeScope(scope: string | readonly string[] | undefined): string {
  if (scope === undefined) return ''
  const tokens = typeof scope === 'string' ? scope.split(' ') : scope
  const set = new Set<string>()
  for (const token of tokens) {
    if (token === '') continue
    if (!scopeToken.test(token)) {
      throw new LatchkeyClientError(
        'ERR_INVALID_OPTIONS',
        'scope holds a character RFC 6749 §3.3 does not allow (quotes, backslashes, controls or non-ASCII). Use scope tokens such as "read write".',
      )
    }
    set.add(token)
  }
  return [...set].sort().join(' ')
}
