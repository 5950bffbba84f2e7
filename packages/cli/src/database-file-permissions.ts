import { statSync } from 'node:fs'

/** An SQLite database file open to group or others: it holds the private signing keys. */
export interface DatabaseFileWarning {
  readonly code: 'LATCHKEY_DATABASE_FILE_PERMISSIONS'
  /** One line, naming the file and the `chmod` that fixes it; never anything the file holds. */
  readonly message: string
  readonly path: string
  /** The file's permission bits, e.g. `0o644`. */
  readonly mode: number
}

/**
 * Calls `warn` once if the database file `filename` grants group or others any permission. A
 * warning, not a failure, as the client does for a key file: the file may be on a share whose
 * modes mean little, and refusing would take an API down over it. Windows has no such bits.
 */
export function checkDatabaseFilePermissions(filename: string, warn: (warning: DatabaseFileWarning) => void): void {
  if (process.platform === 'win32') return
  const stats = statSync(filename, { throwIfNoEntry: false })
  if (!stats?.isFile()) return
  const mode = stats.mode & 0o777
  if ((mode & 0o077) === 0) return
  warn({
    code: 'LATCHKEY_DATABASE_FILE_PERMISSIONS',
    path: filename,
    mode,
    // SQLite gives -wal and -shm the database's bits when it creates them; ones that exist already
    // (a server has the file open) keep theirs, hence the second clause.
    message: `The SQLite database ${oneLine(filename)} is open to group or others (mode ${mode.toString(8)}), though it holds the private signing keys; run chmod 600 ${shellWord(filename)}, and the same on its -wal and -shm files if they exist.`,
  })
}

/** `path` as one shell word: as it is when it needs no quoting, else single-quoted. */
function shellWord(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${oneLine(path).replaceAll("'", `'\\''`)}'`
}

/** A path with its control characters shown as `?`, so the warning stays one line. */
function oneLine(path: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point.
  return path.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}
