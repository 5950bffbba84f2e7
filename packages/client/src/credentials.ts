import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ApiKey, parseApiKeyProperties, redactedApiKey } from './api-key.js'
import { LatchkeyClientError } from './errors.js'

/** Where the API key came from. Never holds the secret. */
export type CredentialSource =
  | { readonly type: 'options' }
  | {
      readonly type: 'file'
      readonly path: string
      /** `option`: `apiKeyFile`; `env`: a `*_FILE` variable; `cwd`: `./apiKey.properties`; `home`: under `~`. */
      readonly origin: 'option' | 'env' | 'cwd' | 'home'
      /** The environment variable that named the file, for origin `env`. */
      readonly variable?: string
    }
  | { readonly type: 'env'; readonly variables: readonly [id: string, secret: string] }

/** A resolved API key and its source. */
export interface ResolvedCredentials {
  /** The key; its secret stays out of `JSON.stringify` and `util.inspect`. */
  readonly apiKey: ApiKey
  readonly source: CredentialSource
}

/** A key file readable by group or others. */
export interface CredentialWarning {
  readonly code: 'LATCHKEY_KEY_FILE_PERMISSIONS'
  readonly message: string
  readonly path: string
}

/** Options of {@link resolveCredentials}. */
export interface ResolveCredentialsOptions {
  /** Explicit credentials: used as they are, first. */
  readonly apiKey?: ApiKey | undefined
  /** An explicit `apiKey.properties` path (or `file://` URL): it must exist and hold both keys. */
  readonly apiKeyFile?: string | URL | undefined
  /** The environment. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Where `./apiKey.properties` is looked for. Default: `process.cwd()`. */
  readonly cwd?: string
  /** The home directory; `''` skips the home files. Default: `os.homedir()`. */
  readonly homeDir?: string
  /**
   * Receives a warning for a key file readable by group or others, at every resolution.
   * Default: `process.emitWarning`, once per file per process.
   */
  readonly onWarning?: (warning: CredentialWarning) => void
}

/** Variables naming a key file, in order; Stormpath's names are accepted for migration. */
const fileVariables = ['LATCHKEY_API_KEY_FILE', 'STORMPATH_CLIENT_APIKEY_FILE', 'STORMPATH_API_KEY_FILE'] as const

/** Id and secret variable pairs, in order. */
const pairVariables = [
  ['LATCHKEY_API_KEY_ID', 'LATCHKEY_API_KEY_SECRET'],
  ['STORMPATH_CLIENT_APIKEY_ID', 'STORMPATH_CLIENT_APIKEY_SECRET'],
  ['STORMPATH_API_KEY_ID', 'STORMPATH_API_KEY_SECRET'],
] as const

/**
 * Finds the API key. The first source that has one wins, and id and secret always come from the
 * same source: `apiKey` → `apiKeyFile` → a file named by `LATCHKEY_API_KEY_FILE` (or
 * `STORMPATH_CLIENT_APIKEY_FILE`, `STORMPATH_API_KEY_FILE`) → `LATCHKEY_API_KEY_ID` and
 * `LATCHKEY_API_KEY_SECRET` (or the Stormpath pairs) → `./apiKey.properties` →
 * `~/.latchkey/apiKey.properties` → `~/.stormpath/apiKey.properties`.
 *
 * An explicit file that is missing, unreadable or incomplete throws; a half-set variable pair throws
 * naming the missing variable; a discovered file that is empty is skipped. Node only.
 */
export function resolveCredentials(options: ResolveCredentialsOptions = {}): ResolvedCredentials {
  const env = options.env ?? process.env
  const warn = options.onWarning ?? defaultWarning
  if (options.apiKey !== undefined) return { apiKey: redactedApiKey(options.apiKey), source: { type: 'options' } }

  if (options.apiKeyFile !== undefined) {
    const file = toPath(options.apiKeyFile, options)
    return { apiKey: readRequired(file, warn), source: { type: 'file', path: file, origin: 'option' } }
  }
  for (const variable of fileVariables) {
    const value = env[variable]
    if (value === undefined || value === '') continue
    const file = toPath(value, options)
    return { apiKey: readRequired(file, warn, variable), source: { type: 'file', path: file, origin: 'env', variable } }
  }
  for (const [idVariable, secretVariable] of pairVariables) {
    const id = env[idVariable]?.trim() ?? ''
    const secret = env[secretVariable]?.trim() ?? ''
    if (id === '' && secret === '') continue
    if (id === '' || secret === '') {
      const missing = id === '' ? idVariable : secretVariable
      throw new LatchkeyClientError(
        'ERR_CREDENTIALS_MISSING',
        `${missing} is not set but ${id === '' ? secretVariable : idVariable} is: set both, or neither.`,
      )
    }
    return { apiKey: redactedApiKey({ id, secret }), source: { type: 'env', variables: [idVariable, secretVariable] } }
  }
  const home = options.homeDir ?? os.homedir()
  const candidates: { file: string; origin: 'cwd' | 'home' }[] = [
    { file: path.resolve(options.cwd ?? process.cwd(), 'apiKey.properties'), origin: 'cwd' },
  ]
  if (home !== '') {
    candidates.push({ file: path.join(home, '.latchkey', 'apiKey.properties'), origin: 'home' })
    candidates.push({ file: path.join(home, '.stormpath', 'apiKey.properties'), origin: 'home' })
  }
  for (const { file, origin } of candidates) {
    const text = readIfPresent(file)
    if (text === undefined) continue
    const apiKey = parseApiKeyProperties(text, file)
    if (!apiKey) continue
    checkPermissions(file, warn)
    return { apiKey, source: { type: 'file', path: file, origin } }
  }
  throw new LatchkeyClientError(
    'ERR_CREDENTIALS_MISSING',
    'No API key found. Pass apiKey or apiKeyFile, set LATCHKEY_API_KEY_FILE or LATCHKEY_API_KEY_ID and LATCHKEY_API_KEY_SECRET, or put apiKey.properties in the working directory or in ~/.latchkey/ (latchkey keys create --out apiKey.properties writes one).',
  )
}

/** A one-line description of `source` for logs, never the secret. */
export function describeCredentialSource(source: CredentialSource): string {
  switch (source.type) {
    case 'options':
      return 'the apiKey option'
    case 'env':
      return `the environment (${source.variables.join(', ')})`
    case 'file':
      return source.variable ? `${source.path} (from ${source.variable})` : source.path
  }
}

function toPath(value: string | URL, options: ResolveCredentialsOptions): string {
  if (value instanceof URL || value.startsWith('file:')) return fileURLToPath(value)
  if (value === '~' || value.startsWith('~/')) return path.join(options.homeDir ?? os.homedir(), value.slice(1))
  return path.resolve(options.cwd ?? process.cwd(), value)
}

function readRequired(file: string, warn: (warning: CredentialWarning) => void, variable?: string): ApiKey {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (cause) {
    const code = (cause as { code?: string }).code
    const named = variable ? `${file} (named by ${variable})` : file
    throw new LatchkeyClientError(
      'ERR_CREDENTIALS_FILE',
      code === 'ENOENT'
        ? `The API key file ${named} does not exist. Write it with "latchkey keys create --out ${file}", or fix the path.`
        : `The API key file ${named} cannot be read (${code ?? 'error'}). Check that it is a readable file.`,
      { cause },
    )
  }
  const apiKey = parseApiKeyProperties(text, file)
  if (!apiKey) {
    throw new LatchkeyClientError(
      'ERR_CREDENTIALS_MISSING',
      `${file} is empty: it needs the lines "apiKey.id = …" and "apiKey.secret = …".`,
    )
  }
  checkPermissions(file, warn)
  return apiKey
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw new LatchkeyClientError('ERR_CREDENTIALS_FILE', `${file} cannot be read (${code ?? 'error'}).`, {
      cause: error,
    })
  }
}

/** Stormpath's docs said `chmod go-rwx`; no SDK checked. A warning, not a failure: the file may be on a share. */
function checkPermissions(file: string, warn: (warning: CredentialWarning) => void): void {
  if (process.platform === 'win32') return
  const mode = fs.statSync(file).mode
  if ((mode & 0o077) === 0) return
  warn({
    code: 'LATCHKEY_KEY_FILE_PERMISSIONS',
    path: file,
    message: `${file} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it.`,
  })
}

/**
 * The key files already warned about. A script that creates several clients from one file is told
 * once; the set hangs off `globalThis` so the ESM and CJS copies of this package share it too.
 */
const WARNED_FILES: unique symbol = Symbol.for('@latchkey/client.warnedKeyFiles')

function defaultWarning(warning: CredentialWarning): void {
  const shared = globalThis as { [WARNED_FILES]?: Set<string> }
  const warned = shared[WARNED_FILES] ?? new Set<string>()
  shared[WARNED_FILES] = warned
  if (warned.has(warning.path)) return
  warned.add(warning.path)
  process.emitWarning(warning.message, { code: warning.code })
}
