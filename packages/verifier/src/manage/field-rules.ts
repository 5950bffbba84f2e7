import { LatchkeyError } from '../errors.js'
import { hasControlCharacters } from '../lib/control-characters.js'
import { isScopeToken } from '../scope.js'
import type { JsonValue, Metadata } from '../store/key-store.js'

/** The longest key name, in characters (Unicode code points), after trimming. */
export const MAX_KEY_NAME_LENGTH = 100
/** The longest key description, in characters (Unicode code points), after trimming. */
export const MAX_KEY_DESCRIPTION_LENGTH = 1000
/** The largest metadata object of a key or an account, in UTF-8 bytes of its JSON text. */
export const MAX_METADATA_BYTES = 4096
/** How deeply metadata may nest: the object itself is level 1, each object or array inside adds one. */
export const MAX_METADATA_DEPTH = 16
/** The longest account name, in characters (UTF-16 code units), after trimming. */
export const MAX_ACCOUNT_NAME_LENGTH = 200

const encoder = new TextEncoder()

function invalid(message: string): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_ARGUMENT', message)
}

/** An account name, trimmed: 1 to 200 characters, no control characters (names end up in terminals and logs). */
export function checkAccountName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : ''
  if (trimmed.length === 0 || trimmed.length > MAX_ACCOUNT_NAME_LENGTH || hasControlCharacters(trimmed)) {
    throw invalid(`An account name must have 1 to ${MAX_ACCOUNT_NAME_LENGTH} characters and no control characters.`)
  }
  return trimmed
}

/**
 * A key name, trimmed: at most 100 characters, no control characters. Empty (or only spaces) is
 * `null`, "no name"; so is `null` itself.
 */
export function checkKeyName(name: string | null): string | null {
  return checkText(name, 'A key name', MAX_KEY_NAME_LENGTH)
}

/** A key description, trimmed: at most 1000 characters on one line (no control characters). Empty is `null`. */
export function checkKeyDescription(description: string | null): string | null {
  return checkText(description, 'A key description', MAX_KEY_DESCRIPTION_LENGTH)
}

function checkText(value: string | null, what: string, max: number): string | null {
  if (value === null) return null
  if (typeof value !== 'string') throw invalid(`${what} must be a string or null.`)
  const trimmed = value.trim()
  if (trimmed === '') return null
  const length = [...trimmed].length
  if (length > max)
    throw invalid(`${what} has ${formatCount(length)} characters; at most ${formatCount(max)} are allowed.`)
  // Tabs and newlines too: names and descriptions are shown one to a line, in tables and logs.
  if (hasControlCharacters(trimmed)) {
    throw invalid(`${what} must not hold control characters (tabs and line breaks included).`)
  }
  return trimmed
}

/** Scopes as RFC 6749 §3.3 scope tokens, without duplicates, in the order given. */
export function checkScopes(scopes: readonly string[]): string[] {
  if (!Array.isArray(scopes)) throw invalid('Scopes must be an array of scope tokens.')
  const invalidScope = scopes.find((scope) => typeof scope !== 'string' || !isScopeToken(scope))
  if (invalidScope !== undefined) {
    throw invalid(
      `${JSON.stringify(String(invalidScope))} is not a valid scope: use printable ASCII without spaces, quotes or backslashes.`,
    )
  }
  return [...new Set(scopes)]
}

/**
 * An expiry: a valid `Date` after `now`. A past instant is refused rather than taken as "expire at
 * once": that would be a revocation in disguise, and one that `keys list` would show as expiry.
 *
 * @param what How to name the option in the message, as `expiresAt`.
 */
export function checkExpiresAt(expiresAt: Date, now: Date, what = 'expiresAt'): Date {
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) throw invalid(`${what} must be a valid Date.`)
  if (expiresAt.getTime() <= now.getTime()) {
    throw invalid(`${what} (${expiresAt.toISOString()}) is not in the future; to stop a key now, disable or revoke it.`)
  }
  return new Date(expiresAt.getTime())
}

/**
 * Metadata as stores keep it: a plain object (prototype `Object` or `null`) of JSON values (strings,
 * finite numbers, booleans, `null`, arrays, plain objects), nested at most 16 levels, at most 4096
 * bytes as JSON. Returns a copy made of plain JSON values, each property read once (`-0` becomes `0`).
 *
 * Strings must be well-formed Unicode without U+0000: Postgres `jsonb` refuses both, and a store
 * should never be the one to say so.
 */
export function checkMetadata(metadata: Metadata): Metadata {
  if (!isPlainObject(metadata)) throw invalid(`Metadata must be a plain JSON object: got ${describe(metadata)}.`)
  const copy = copyJson(metadata, [], 1) as Metadata
  const bytes = encoder.encode(JSON.stringify(copy)).length
  if (bytes > MAX_METADATA_BYTES) {
    throw invalid(
      `Metadata is ${formatCount(bytes)} bytes as JSON; at most ${formatCount(MAX_METADATA_BYTES)} are allowed.`,
    )
  }
  return copy
}

type Path = readonly (string | number)[]

function copyJson(value: unknown, path: Path, depth: number): JsonValue {
  switch (typeof value) {
    case 'string':
      return checkString(value, path, 'value')
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path, String(value))
      return value === 0 ? 0 : value
    case 'object':
      break
    default:
      throw notJson(path, describe(value))
  }
  if (value === null) return null
  if (!Array.isArray(value) && !isPlainObject(value)) throw notJson(path, describe(value))
  if (depth > MAX_METADATA_DEPTH) {
    throw invalid(
      `Metadata nests deeper than ${MAX_METADATA_DEPTH} levels at ${formatPath(path)}; flatten it (a cycle never ends, so it is refused too).`,
    )
  }
  if (Object.getOwnPropertySymbols(value).length > 0) {
    throw invalid(`Metadata ${where(path)} has a symbol key, which JSON cannot hold.`)
  }
  if (Array.isArray(value)) {
    const items: JsonValue[] = []
    for (let index = 0; index < value.length; index++) items.push(copyJson(value[index], [...path, index], depth + 1))
    return items
  }
  // fromEntries defines each property, so a `__proto__` key stays a key and never becomes the prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      checkString(key, [...path, key], 'key'),
      copyJson(item, [...path, key], depth + 1),
    ]),
  )
}

/** A lone surrogate: well-formed UTF-16 pairs them, so only an unpaired one is of this category. */
const loneSurrogate = /\p{Cs}/u

function checkString(text: string, path: Path, what: 'key' | 'value'): string {
  if (text.includes('\u0000'))
    throw invalid(`Metadata ${what} at ${formatPath(path)} holds U+0000, which stores cannot keep.`)
  if (loneSurrogate.test(text)) {
    throw invalid(`Metadata ${what} at ${formatPath(path)} is not well-formed Unicode (it has a lone surrogate).`)
  }
  return text
}

function notJson(path: Path, got: string): LatchkeyError {
  return invalid(`Metadata value ${where(path)} must be JSON: got ${got}.`)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** What a refused value is, for a message: its type or class, never its content. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'undefined':
      return 'undefined'
    case 'object': {
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name
      return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? article(name) : 'an instance of a class'
    }
    default:
      return article(typeof value)
  }
}

function article(noun: string): string {
  return `${/^[aeio]/i.test(noun) ? 'an' : 'a'} ${noun}`
}

function where(path: Path): string {
  return path.length === 0 ? 'at the top level' : `at ${formatPath(path)}`
}

/** `plan.limits`, `tags[2]`, `["a.b"].c`: keys that are not identifiers are quoted. */
function formatPath(path: Path): string {
  if (path.length === 0) return 'the top level'
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`
      if (/^[A-Za-z_$][\w$]*$/.test(part)) return index === 0 ? part : `.${part}`
      return `[${JSON.stringify(part)}]`
    })
    .join('')
}

/** `5120` → `5,120`, without depending on the runtime's locale data. */
function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}
