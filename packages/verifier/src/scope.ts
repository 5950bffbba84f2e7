import { LatchkeyError } from './errors.js'
import type { Principal } from './principal.js'

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const scopeTokenPattern = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/** Whether `token` is one valid RFC 6749 scope token. */
export function isScopeToken(token: string): boolean {
  return scopeTokenPattern.test(token)
}

/**
 * Splits an RFC 6749 §3.3 scope string (tokens separated by single spaces) into its distinct
 * tokens, in order. Returns `undefined` when the string is malformed.
 */
export function parseScope(scope: string): string[] | undefined {
  if (scope === '') return []
  const tokens = scope.split(' ')
  if (!tokens.every(isScopeToken)) return undefined
  return [...new Set(tokens)]
}

/** The scope string for `scopes`: distinct tokens joined by single spaces. */
export function formatScope(scopes: readonly string[]): string {
  return [...new Set(scopes)].join(' ')
}

/** The scopes of `required` that `granted` lacks. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((scope) => !granted.includes(scope))
}

/**
 * The refusal when `principal` lacks any of `required` (`ERR_INSUFFICIENT_SCOPE`), else `undefined`.
 * Throws when there is no principal: a scope guard that runs before authentication is a bug.
 */
export function checkScopes(principal: Principal | undefined, required: readonly string[]): LatchkeyError | undefined {
  if (!principal) throw new Error('A scope guard (requireScopes) must come after authenticate().')
  if (missingScopes(principal.scopes, required).length === 0) return undefined
  return new LatchkeyError('ERR_INSUFFICIENT_SCOPE', 'The request needs a scope the credentials lack.', {
    scope: required,
  })
}
