/**
 * Why a path a proxy reported cannot be decided on: the upstream behind the proxy might read it as
 * another path than the rules would, so the gateway refuses it (400) rather than guess.
 */
export type AmbiguousPathReason =
  /** Not an origin-form path (RFC 9112 §3.2.1): empty, or not starting with `/`. */
  | 'not_origin_form'
  /** A `%` not followed by two hex digits (RFC 3986 §2.1). */
  | 'invalid_percent_encoding'
  /** `%2F` or `%5C`: a slash inside a segment, which some servers decode and split on. */
  | 'encoded_separator'
  /** A control character, raw or percent-encoded (`%00`–`%1F`, `%7F`), or a raw space. */
  | 'control_character'
  /** A raw `\`, which some servers (and WHATWG URL parsing) read as `/`. */
  | 'backslash'
  /** A character above U+00FF: a header carries bytes, one character each. */
  | 'not_a_byte'
  /** `..` that would climb above the root. */
  | 'above_root'
  /** A dot segment with a path parameter (`..;x`), which servlet containers resolve as `..`. */
  | 'dot_segment_parameter'

/** The outcome of {@link normalizeRequestPath}. */
export type NormalizedPath =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly reason: AmbiguousPathReason }

const hex = '0123456789ABCDEF'
const unreserved = /[A-Za-z0-9\-._~]/
/** What RFC 3986 §3.3 lets stand unencoded in a path: pchar and `/`. */
const pathCharacter = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/

/**
 * The one canonical form of the path of a request target, so that every rule is matched against the
 * path the upstream will serve:
 *
 * - the query (and a fragment, which a client never sends) is dropped;
 * - percent-encoded unreserved characters are decoded, every other percent-encoding is written with
 *   uppercase hex digits (RFC 3986 §6.2.2.1, §6.2.2.2), and a raw byte a path may not hold (`"`, a
 *   byte above 0x7F…) is percent-encoded, as a client should have sent it;
 * - repeated slashes collapse into one, as nginx's `merge_slashes` does;
 * - dot segments are removed (RFC 3986 §5.2.4), after decoding, so `/%2e%2e/` is `..`.
 *
 * Anything two servers might read differently is refused instead ({@link AmbiguousPathReason}).
 * The result is compared byte for byte: paths are case-sensitive (RFC 3986 §6.2.2.1).
 */
export function normalizeRequestPath(target: string): NormalizedPath {
  if (target.length > REMEMBERED_TARGET_LENGTH) return normalize(target)
  let normalized = remembered.get(target)
  if (normalized === undefined) {
    normalized = normalize(target)
    // Targets are the client's choice: the memory is bounded, and cleared at once when full.
    if (remembered.size >= REMEMBERED_TARGETS) remembered.clear()
    remembered.set(target, normalized)
  }
  return normalized
}

/**
 * Recently decided targets and their normal form: a proxy asks about the same few paths request after
 * request, and looking one up costs less than normalising it again.
 */
const remembered = new Map<string, NormalizedPath>()
const REMEMBERED_TARGETS = 1024
const REMEMBERED_TARGET_LENGTH = 512

function normalize(target: string): NormalizedPath {
  // `target` is the header's value as Node reads it: one character per byte (latin1).
  const end = target.search(/[?#]/)
  const raw = end === -1 ? target : target.slice(0, end)
  if (!raw.startsWith('/')) return refuse('not_origin_form')
  let decoded = ''
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string
    const code = char.charCodeAt(0)
    if (code <= 0x20 || code === 0x7f) return refuse('control_character')
    if (char === '\\') return refuse('backslash')
    if (code > 0xff) return refuse('not_a_byte')
    if (char !== '%') {
      decoded += pathCharacter.test(char) ? char : encoded(code)
      continue
    }
    const pair = raw.slice(i + 1, i + 3).toUpperCase()
    if (!/^[0-9A-F]{2}$/.test(pair)) return refuse('invalid_percent_encoding')
    const byte = Number.parseInt(pair, 16)
    if (byte < 0x20 || byte === 0x7f) return refuse('control_character')
    if (byte === 0x2f || byte === 0x5c) return refuse('encoded_separator')
    const plain = String.fromCharCode(byte)
    decoded += unreserved.test(plain) ? plain : encoded(byte)
    i += 2
  }
  return removeDotSegments(decoded)
}

/** RFC 3986 §5.2.4 on a path of non-empty segments (repeated slashes merged), refusing a climb above the root. */
function removeDotSegments(path: string): NormalizedPath {
  const segments = path.split('/').slice(1)
  const trailingSlash = path.endsWith('/') || /\/\.{1,2}$/.test(path)
  const kept: string[] = []
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (kept.pop() === undefined) return refuse('above_root')
      continue
    }
    if (/^\.{1,2};/.test(segment)) return refuse('dot_segment_parameter')
    kept.push(segment)
  }
  const joined = `/${kept.join('/')}`
  return { ok: true, path: trailingSlash && kept.length > 0 ? `${joined}/` : joined }
}

function encoded(byte: number): string {
  return `%${hex[byte >> 4]}${hex[byte & 15]}`
}

function refuse(reason: AmbiguousPathReason): NormalizedPath {
  return { ok: false, reason }
}
