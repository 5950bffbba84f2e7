import type { Metadata } from '@latchkey/verifier'
import { isScopeToken } from '@latchkey/verifier/manage'
import { parseDuration, shown } from './duration.js'
import { parseInstant } from './instant.js'
import { UsageError } from './usage-error.js'

/** Splits each `--scope` value on whitespace and checks each token, before anything is written. */
export function parseScopeOptions(values: readonly string[], command: string): string[] {
  const scopes = values.flatMap((value) => value.split(/\s+/)).filter((scope) => scope !== '')
  const invalid = scopes.find((scope) => !isScopeToken(scope))
  if (invalid !== undefined) {
    throw new UsageError(
      `${shown(invalid)} is not a valid scope: use printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3).`,
      command,
    )
  }
  return [...new Set(scopes)]
}

/** What `--meta KEY=VALUE` and `--unset-meta KEY` ask for: values to set, keys to remove. */
export interface MetadataEdits {
  readonly set: ReadonlyMap<string, string>
  readonly unset: ReadonlySet<string>
}

/**
 * Reads `--meta KEY=VALUE` options (split at the first `=`; the value is a string, taken as given,
 * never parsed as JSON; a later one for the same key wins) and `--unset-meta KEY` options.
 */
export function parseMetadataOptions(
  meta: readonly string[],
  unsetMeta: readonly string[],
  command: string,
): MetadataEdits {
  const set = new Map<string, string>()
  for (const option of meta) {
    const split = option.indexOf('=')
    if (split <= 0) {
      const why = split === 0 ? 'its KEY is empty' : 'it has no "="'
      throw new UsageError(`--meta takes KEY=VALUE, as in --meta plan=pro; ${why}.`, command)
    }
    set.set(option.slice(0, split), option.slice(split + 1))
  }
  for (const key of unsetMeta) {
    if (key === '') throw new UsageError('--unset-meta takes a KEY; it is empty.', command)
    if (set.has(key)) throw new UsageError(`--meta and --unset-meta both name ${shown(key)}; choose one.`, command)
  }
  return { set, unset: new Set(unsetMeta) }
}

/** `current` with the edits applied: set keys replaced or added, unset keys removed (absent ones ignored). */
export function applyMetadataEdits(current: Metadata, edits: MetadataEdits): Metadata {
  // fromEntries defines properties, so a `__proto__` KEY stays a key.
  return Object.fromEntries([
    ...Object.entries(current).filter(([key]) => !edits.unset.has(key) && !edits.set.has(key)),
    ...edits.set,
  ])
}

/** Whether any edit was asked for. */
export function hasMetadataEdits(edits: MetadataEdits): boolean {
  return edits.set.size > 0 || edits.unset.size > 0
}

/** The expiry options, as `parseArgs` gives them. */
export interface ExpiryOptionValues {
  readonly 'expires-in'?: string | undefined
  readonly 'expires-at'?: string | undefined
  readonly 'no-expiry'?: boolean | undefined
}

/**
 * The expiry `--expires-in DURATION`, `--expires-at ISO8601` or `--no-expiry` (`null`) asks for, or
 * `undefined` when none is given. At most one of them; the instant must be in the future.
 */
export function parseExpiryOptions(
  values: ExpiryOptionValues,
  command: string,
  now = new Date(),
): Date | null | undefined {
  const given = (['expires-in', 'expires-at', 'no-expiry'] as const).filter((flag) => values[flag] !== undefined)
  if (given.length > 1)
    throw new UsageError(`${given.map((flag) => `--${flag}`).join(' and ')} exclude each other; give one.`, command)
  if (values['no-expiry']) return null
  const expiresIn = values['expires-in']
  if (expiresIn !== undefined) return new Date(now.getTime() + parseDuration(expiresIn, '--expires-in', { command }))
  const expiresAt = values['expires-at']
  if (expiresAt === undefined) return undefined
  const instant = parseInstant(expiresAt, '--expires-at', command)
  if (instant.getTime() <= now.getTime()) {
    throw new UsageError(
      `--expires-at: ${instant.toISOString()} is not in the future; to stop a key now, disable or revoke it.`,
      command,
    )
  }
  return instant
}
