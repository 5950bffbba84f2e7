import { LatchkeyError } from '@latchkey/verifier'

/**
 * The database the CLI uses when neither `--database` nor `LATCHKEY_DATABASE_URL` names one:
 * `latchkey.db` in the working directory.
 */
export const DEFAULT_DATABASE_URL = 'sqlite:./latchkey.db'

/** Where a key store lives, as {@link parseDatabaseUrl} understands a database URL. */
export type DatabaseLocation =
  /** An SQLite file. `filename` is as written: relative to the working directory, or absolute. */
  | { readonly kind: 'sqlite'; readonly filename: string }
  /** A Postgres server; `url` is the URL as given, credentials included, so never print it. */
  | { readonly kind: 'postgres'; readonly url: string }

/** The forms a database URL takes, for the messages of a URL that is none of them. */
const acceptedForms = 'sqlite:PATH, sqlite:///ABSOLUTE/PATH or postgres://USER:PASSWORD@HOST/DATABASE'

/**
 * Parses a database URL.
 *
 * - `sqlite:PATH`: an SQLite file, relative to the working directory (`sqlite:./latchkey.db`,
 *   `sqlite:keys.db`) or absolute (`sqlite:/var/lib/latchkey.db`). The path is taken as written,
 *   without percent-decoding, like SQLAlchemy's and Prisma's `file:` paths.
 * - `sqlite:///ABSOLUTE/PATH`: the same, in the RFC 8089 form with an empty authority.
 * - `postgres://…` and `postgresql://…`: a Postgres server.
 *
 * The scheme is case-insensitive (RFC 3986 §3.1).
 *
 * @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` for anything else, including `file:` and `memory:`
 *   URLs; the message is one sentence saying what to write instead, and never shows a password.
 */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase()
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (!url.slice(scheme.length + 1).startsWith('//'))
      invalid(url, `a ${scheme}: URL starts with ${scheme}://, as in ${scheme}://USER:PASSWORD@HOST/DATABASE`)
    return { kind: 'postgres', url }
  }
  if (scheme === 'sqlite') return { kind: 'sqlite', filename: sqliteFilename(url, url.slice('sqlite:'.length)) }
  if (scheme === 'file')
    invalid(url, `file: URLs are ambiguous here; write sqlite:${redactDatabaseUrl(url.slice('file:'.length))} instead`)
  if (scheme === 'memory') {
    invalid(
      url,
      'an in-memory store would lose every change when the command exits; name an SQLite file, as in sqlite:./latchkey.db',
    )
  }
  if (scheme === undefined || /^[A-Za-z]:[\\/]/.test(url)) {
    // A bare path (or a Windows drive path) is the likeliest mistake: suggest the URL the user meant.
    invalid(url, `it has no scheme; for an SQLite file, write sqlite:${redactDatabaseUrl(url)}`)
  }
  invalid(url, `the scheme ${scheme}: is not supported; use ${acceptedForms}`)
}

function sqliteFilename(url: string, rest: string): string {
  let filename = rest
  if (rest.startsWith('//')) {
    // RFC 8089: `sqlite:///abs` has an empty authority. `sqlite://name.db` would put the name in the
    // authority, where a host belongs, so it is refused rather than guessed.
    if (!rest.startsWith('///')) {
      invalid(
        url,
        `sqlite:// must be followed by an absolute path, as in sqlite:///var/lib/latchkey.db; for a relative one, write sqlite:${redactDatabaseUrl(rest.slice(2))}`,
      )
    }
    filename = rest.slice(2)
  }
  if (filename === '') invalid(url, 'the SQLite file name is missing, as in sqlite:./latchkey.db')
  if (filename === ':memory:' || filename.startsWith('file:')) {
    invalid(url, 'in-memory and URI file names are not supported; name an SQLite file, as in sqlite:./latchkey.db')
  }
  // SQLite options in a query string would silently become part of the file name.
  if (/[?#]/.test(filename))
    invalid(url, 'sqlite: URLs take no query string or fragment; remove what follows the ? or #')
  return filename
}

function invalid(url: string, reason: string): never {
  throw new LatchkeyError(
    'ERR_INVALID_ARGUMENT',
    `Invalid database URL ${JSON.stringify(redactDatabaseUrl(url))}: ${reason}.`,
  )
}

/**
 * `url` with its credentials masked, fit for messages and logs: the user info before `@`
 * becomes `***`, as do query parameters that look like secrets (`password=`, `sslpassword=`, `token=`…).
 * Masks too much rather than too little when the URL is malformed.
 */
export function redactDatabaseUrl(url: string): string {
  // Everything up to the last `@` counts as user info: an unescaped `@` or `/` in a password
  // then still ends up masked.
  const at = url.lastIndexOf('@')
  let redacted = url
  if (at !== -1) {
    const authorityStart = url.indexOf('//')
    const start = authorityStart !== -1 && authorityStart < at ? authorityStart + 2 : url.indexOf(':') + 1
    redacted = `${url.slice(0, start)}***${url.slice(at)}`
  }
  return redacted.replace(/([?&][^=&#]*(?:pass|secret|token|key)[^=&#]*=)[^&#]*/gi, '$1***')
}
