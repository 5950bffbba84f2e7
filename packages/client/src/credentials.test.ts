import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type CredentialWarning, type ResolveCredentialsOptions, resolveCredentials } from './credentials.js'
import { createClient } from './node.js'

let dir: string
let cwd: string
let home: string

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-client-'))
  cwd = path.join(dir, 'cwd')
  home = path.join(dir, 'home')
  fs.mkdirSync(cwd)
  fs.mkdirSync(path.join(home, '.latchkey'), { recursive: true })
  fs.mkdirSync(path.join(home, '.stormpath'), { recursive: true })
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

function write(file: string, id: string, mode = 0o600): string {
  fs.writeFileSync(file, `apiKey.id = ${id}\napiKey.secret = lksecret_${id}\n`, { mode })
  fs.chmodSync(file, mode)
  return file
}

function resolve(options: ResolveCredentialsOptions = {}) {
  const warnings: CredentialWarning[] = []
  const result = resolveCredentials({ env: {}, cwd, homeDir: home, onWarning: (w) => warnings.push(w), ...options })
  return { id: result.apiKey.id, secret: result.apiKey.secret, source: result.source, warnings, apiKey: result.apiKey }
}

const cwdFile = () => path.join(cwd, 'apiKey.properties')
const latchkeyHome = () => path.join(home, '.latchkey', 'apiKey.properties')
const stormpathHome = () => path.join(home, '.stormpath', 'apiKey.properties')

describe('resolveCredentials: first match wins, id and secret from one source', () => {
  it('takes explicit options first', () => {
    write(cwdFile(), 'cwd')
    expect(resolve({ apiKey: { id: 'opt', secret: 's' } })).toMatchObject({ id: 'opt', source: { type: 'options' } })
  })

  it('then an explicit file (path or file:// URL), even over the environment', () => {
    const file = write(path.join(dir, 'key.properties'), 'explicit')
    const env = { LATCHKEY_API_KEY_ID: 'env', LATCHKEY_API_KEY_SECRET: 's' }
    expect(resolve({ apiKeyFile: file, env })).toMatchObject({
      id: 'explicit',
      source: { type: 'file', path: file, origin: 'option' },
    })
    expect(resolve({ apiKeyFile: pathToFileURL(file).href }).id).toBe('explicit')
  })

  it('fails when an explicit file is missing or empty, naming it', () => {
    const missing = path.join(dir, 'missing.properties')
    expect(() => resolve({ apiKeyFile: missing })).toThrow(expect.objectContaining({ code: 'ERR_CREDENTIALS_FILE' }))
    expect(() => resolve({ apiKeyFile: missing })).toThrow(missing)
    fs.writeFileSync(path.join(dir, 'empty'), '')
    expect(() => resolve({ apiKeyFile: path.join(dir, 'empty') })).toThrow(/is empty/)
  })

  it('then a file named by LATCHKEY_API_KEY_FILE or Stormpath’s variables', () => {
    const file = write(path.join(dir, 'env.properties'), 'envfile')
    write(cwdFile(), 'cwd')
    expect(resolve({ env: { LATCHKEY_API_KEY_FILE: file } })).toMatchObject({
      id: 'envfile',
      source: { origin: 'env', variable: 'LATCHKEY_API_KEY_FILE' },
    })
    expect(resolve({ env: { STORMPATH_CLIENT_APIKEY_FILE: file } }).source).toMatchObject({
      variable: 'STORMPATH_CLIENT_APIKEY_FILE',
    })
    expect(() => resolve({ env: { LATCHKEY_API_KEY_FILE: path.join(dir, 'nope') } })).toThrow(/LATCHKEY_API_KEY_FILE/)
  })

  it('then the LATCHKEY_API_KEY_ID and _SECRET pair, or Stormpath’s pairs', () => {
    write(cwdFile(), 'cwd')
    expect(resolve({ env: { LATCHKEY_API_KEY_ID: 'e', LATCHKEY_API_KEY_SECRET: 's' } })).toMatchObject({
      id: 'e',
      secret: 's',
      source: { type: 'env', variables: ['LATCHKEY_API_KEY_ID', 'LATCHKEY_API_KEY_SECRET'] },
    })
    expect(resolve({ env: { STORMPATH_CLIENT_APIKEY_ID: 'c', STORMPATH_CLIENT_APIKEY_SECRET: 's' } }).id).toBe('c')
    expect(resolve({ env: { STORMPATH_API_KEY_ID: 'l', STORMPATH_API_KEY_SECRET: 's' } }).id).toBe('l')
  })

  it('refuses a half-set pair, naming the missing variable, rather than mixing sources', () => {
    write(cwdFile(), 'cwd')
    expect(() => resolve({ env: { LATCHKEY_API_KEY_ID: 'e' } })).toThrow(/^LATCHKEY_API_KEY_SECRET is not set/)
    expect(() => resolve({ env: { STORMPATH_API_KEY_SECRET: 's' } })).toThrow(/^STORMPATH_API_KEY_ID is not set/)
  })

  it('then ./apiKey.properties, then ~/.latchkey, then ~/.stormpath', () => {
    write(stormpathHome(), 'stormpath')
    expect(resolve().source).toMatchObject({ type: 'file', origin: 'home', path: stormpathHome() })
    write(latchkeyHome(), 'home')
    expect(resolve().id).toBe('home')
    write(cwdFile(), 'cwd')
    expect(resolve()).toMatchObject({ id: 'cwd', source: { origin: 'cwd', path: cwdFile() } })
  })

  it('skips an empty discovered file, but not an incomplete one', () => {
    fs.writeFileSync(cwdFile(), '# nothing yet\n')
    write(latchkeyHome(), 'home')
    expect(resolve().id).toBe('home')
    fs.writeFileSync(cwdFile(), 'apiKey.id = lk_only\n')
    expect(() => resolve()).toThrow(/has no apiKey\.secret/)
  })

  it('says where to put a key when there is none', () => {
    expect(() => resolve()).toThrow(expect.objectContaining({ code: 'ERR_CREDENTIALS_MISSING' }))
    expect(() => resolve()).toThrow(/LATCHKEY_API_KEY_FILE/)
  })

  it.skipIf(process.platform === 'win32')('warns when the key file is readable by group or others', () => {
    write(cwdFile(), 'cwd', 0o644)
    const { warnings } = resolve()
    expect(warnings).toEqual([expect.objectContaining({ code: 'LATCHKEY_KEY_FILE_PERMISSIONS', path: cwdFile() })])
    write(cwdFile(), 'cwd', 0o600)
    expect(resolve().warnings).toEqual([])
  })

  it('keeps the secret out of util.inspect and JSON.stringify of the result', () => {
    write(cwdFile(), 'cwd')
    const { apiKey, secret } = resolve()
    expect(secret).toBe('lksecret_cwd')
    const shown = `${inspect(apiKey)} ${JSON.stringify(apiKey)} ${JSON.stringify({ ...apiKey })}`
    expect(shown).not.toContain('lksecret_cwd')
    expect(shown).toContain('[redacted]')
  })
})

describe('createClient from the Node entry', () => {
  it('finds the key, reports its source and keeps the secret out of the client', () => {
    write(cwdFile(), 'cwd')
    const sources: string[] = []
    const client = createClient({
      baseUrl: 'https://api.test',
      env: {},
      cwd,
      homeDir: home,
      onCredentialSource: (event) => sources.push(event.description),
    })
    expect(client.credentialSource).toMatchObject({ type: 'file', origin: 'cwd' })
    expect(sources).toEqual([cwdFile()])
    expect(`${inspect(client, { depth: 10, showHidden: true })} ${JSON.stringify(client)}`).not.toContain(
      'lksecret_cwd',
    )
  })

  it('accepts apiKeyFile', () => {
    const file = write(path.join(dir, 'k.properties'), 'filed')
    expect(createClient({ baseUrl: 'https://api.test', apiKeyFile: file }).credentialSource).toMatchObject({
      path: file,
    })
  })
})
