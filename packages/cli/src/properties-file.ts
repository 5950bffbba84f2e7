import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { parseApiKeyProperties } from '@latchkey/client'

/** An API key's credentials, as written to an `apiKey.properties` file. */
export interface ApiKeyCredentials {
  readonly id: string
  readonly secret: string
}

/**
 * The text of an `apiKey.properties` file, in the format Stormpath's SDKs read. Latchkey ids and
 * secrets use `[A-Za-z0-9_-]` only, so nothing needs `.properties` escaping.
 */
export function formatApiKeyProperties({ id, secret }: ApiKeyCredentials): string {
  return `apiKey.id = ${id}\napiKey.secret = ${secret}\n`
}

/** The largest `apiKey.properties` file read, in bytes: a real one holds two short lines. */
const maxPropertiesFileBytes = 65_536

/**
 * Reads the API key of an `apiKey.properties` file at `path` exactly as `@latchkey/client` does:
 * the properties `apiKey.id` and `apiKey.secret` (Java `.properties` syntax, UTF-8), values trimmed.
 *
 * @throws {Error} With a message naming `path` and what is wrong: unreadable, too large, malformed,
 *   or without one of the two properties. Never the file's content.
 */
export function readApiKeyPropertiesFile(path: string): ApiKeyCredentials {
  const where = JSON.stringify(path)
  let text: string
  try {
    if (statSync(path).size > maxPropertiesFileBytes) {
      throw new Error(`${where} is larger than ${maxPropertiesFileBytes} bytes: it is not an apiKey.properties file.`)
    }
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === undefined) throw error
    const reason =
      code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a directory' : 'it cannot be read'
    throw new Error(`Cannot read ${where}: ${reason} (${code}).`, { cause: error })
  }
  // The client's own reading, so a file the CLI imports is the file the client would use.
  const key = parseApiKeyProperties(text, where)
  if (!key) {
    throw new Error(
      `${where} has no apiKey.id: an apiKey.properties file holds the lines "apiKey.id = …" and "apiKey.secret = …".`,
    )
  }
  return { id: key.id, secret: key.secret }
}

/** Options of {@link reserveApiKeyPropertiesFile}. */
export interface ReserveOptions {
  /** Replace an existing file. Default: `false`, so a key file is never lost by accident. */
  readonly force?: boolean | undefined
}

/** An `apiKey.properties` file opened before its key exists, so the key is created only when it can be saved. */
export interface ReservedPropertiesFile {
  /** Writes the credentials, replacing whatever the file held, and closes it. */
  write(credentials: ApiKeyCredentials): void
  /** Closes the file without writing, deleting it if it did not exist before. */
  abandon(): void
}

/**
 * Opens `path` for an `apiKey.properties` file, readable and writable by its owner only (mode
 * 0600), failing if it exists unless `force` is set. Nothing is truncated until
 * {@link ReservedPropertiesFile.write}, so a key that fails to be created leaves an existing file intact.
 *
 * @throws {Error} With a message naming `path`, what went wrong and what to do.
 */
export function reserveApiKeyPropertiesFile(path: string, options: ReserveOptions = {}): ReservedPropertiesFile {
  const force = options.force ?? false
  const existed = force && existsSync(path)
  // O_EXCL makes "does it exist?" and "create it" one atomic step; without --force no file is ever replaced.
  const flags = constants.O_WRONLY | constants.O_CREAT | (force ? 0 : constants.O_EXCL)
  let fd: number
  try {
    fd = openSync(path, flags, 0o600)
  } catch (error) {
    throw new Error(describeFileError(path, error), { cause: error })
  }
  const descriptor = fd
  let open = true
  const file: ReservedPropertiesFile = {
    write(credentials) {
      try {
        ftruncateSync(descriptor, 0)
        writeSync(descriptor, formatApiKeyProperties(credentials), 0)
        // The secret exists nowhere else: make sure it is on disk before saying it is saved.
        fsyncSync(descriptor)
      } catch (error) {
        throw new Error(describeFileError(path, error), { cause: error })
      } finally {
        open = false
        closeSync(descriptor)
      }
    },
    abandon() {
      if (!open) return
      open = false
      closeSync(descriptor)
      if (existed) return
      try {
        unlinkSync(path)
      } catch {
        // Only an empty file is left behind; the error that led here is the one worth reporting.
      }
    },
  }
  try {
    // open() applies the mode to a new file only: a replaced file would keep its old, maybe wider, mode.
    fchmodSync(descriptor, 0o600)
  } catch (error) {
    file.abandon()
    throw new Error(describeFileError(path, error), { cause: error })
  }
  return file
}

/** A one-line message naming the path, the OS reason and how to fix it. */
function describeFileError(path: string, error: unknown): string {
  let code = (error as NodeJS.ErrnoException | undefined)?.code
  // O_EXCL reports a directory as EEXIST, where --force would not help.
  if (code === 'EEXIST' && statSync(path, { throwIfNoEntry: false })?.isDirectory()) code = 'EISDIR'
  const where = JSON.stringify(path)
  switch (code) {
    case 'EEXIST':
      return `${where} already exists (EEXIST); pass --force to replace it, or choose another --out path.`
    case 'ENOENT':
      return `Cannot create ${where}: its directory does not exist (ENOENT); create the directory first.`
    case 'ENOTDIR':
      return `Cannot create ${where}: a parent of it is not a directory (ENOTDIR).`
    case 'EISDIR':
      return `Cannot write ${where}: it is a directory (EISDIR); name a file, as in ${JSON.stringify(`${path.replace(/[\\/]+$/, '')}/apiKey.properties`)}.`
    case 'EACCES':
    case 'EPERM':
      return `Cannot write ${where}: permission denied (${code}); choose a directory you can write to.`
    default: {
      const reason = error instanceof Error ? error.message : String(error)
      return `Cannot write ${where}: ${reason}`
    }
  }
}
