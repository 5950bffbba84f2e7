import { execFile, execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  cli,
  getTest,
  json,
  makeTempDir,
  parseProperties,
  removeTempDir,
  type ServerProcess,
  spawnServer,
  tokenRequest,
} from './harness.js'

function hasCurl(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v curl'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Runs a shell command line literally, as a reader of the README would paste it. */
function shell(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { timeout: 10_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)))
  })
}

describe('The README walk-through, run as real processes', () => {
  let dir: string
  let databaseUrl: string
  let server: ServerProcess | undefined
  let accountId: string
  let keyId: string
  let credentials: { id: string; secret: string }
  let token: string

  beforeAll(async () => {
    dir = makeTempDir()
    // As in the README: the CLI works in the current directory, on ./latchkey.db.
    databaseUrl = 'sqlite:./latchkey.db'
    accountId = await cli(['accounts', 'create', '--name', 'Acme'], databaseUrl, dir)
    keyId = await cli(
      ['keys', 'create', '--account', accountId, '--scope', 'read write', '--out', 'apiKey.properties'],
      databaseUrl,
      dir,
    )
    credentials = parseProperties(fs.readFileSync(path.join(dir, 'apiKey.properties'), 'utf8'))
    server = await spawnServer(`sqlite:${path.join(dir, 'latchkey.db')}`, 'http://localhost:3000')
  })

  afterAll(async () => {
    await server?.stop()
    removeTempDir(dir)
  })

  const url = (): string => server?.url ?? ''

  it('creates an account and a key whose secret goes only to apiKey.properties, readable by its owner', () => {
    expect(accountId).toMatch(/^acct_[A-Za-z0-9]+$/)
    expect(keyId).toMatch(/^lk_[A-Za-z0-9]+$/)
    expect(credentials.id).toBe(keyId)
    expect(credentials.secret).toMatch(/^lksecret_[A-Za-z0-9]{49}$/)
    expect(fs.statSync(path.join(dir, 'apiKey.properties')).mode & 0o777).toBe(0o600)
  })

  it('answers 401 without credentials', async () => {
    expect((await getTest(url())).status).toBe(401)
  })

  it('answers 200 with the key as HTTP Basic', async () => {
    const result = await getTest(url(), basic(credentials.id, credentials.secret))
    expect(result.status).toBe(200)
    expect(json(result).keyId).toBe(keyId)
  })

  it('issues a token for grant_type=client_credentials with Basic, and accepts it as Bearer', async () => {
    const result = await tokenRequest(
      url(),
      { grant_type: 'client_credentials' },
      { authorization: basic(credentials.id, credentials.secret) },
    )
    expect(result.status).toBe(200)
    expect(json(result)).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' })
    token = String(json(result).access_token)
    const bearer = await getTest(url(), `Bearer ${token}`)
    expect(bearer.status).toBe(200)
    expect(json(bearer)).toMatchObject({ keyId, method: 'bearer' })
  })

  it('rotates the key into apiKey.properties, the old key still working during the overlap', async () => {
    const newKeyId = await cli(
      ['keys', 'rotate', keyId, '--overlap', '1h', '--out', 'apiKey.properties', '--force'],
      databaseUrl,
      dir,
    )
    expect(newKeyId).toMatch(/^lk_[A-Za-z0-9]+$/)
    expect(newKeyId).not.toBe(keyId)
    const rotated = parseProperties(fs.readFileSync(path.join(dir, 'apiKey.properties'), 'utf8'))
    expect(rotated.id).toBe(newKeyId)
    expect(fs.statSync(path.join(dir, 'apiKey.properties')).mode & 0o777).toBe(0o600)
    expect((await getTest(url(), basic(rotated.id, rotated.secret))).status).toBe(200)
    expect((await getTest(url(), basic(credentials.id, credentials.secret))).status).toBe(200)
    const listed = await cli(['keys', 'list'], databaseUrl, dir)
    expect(listed).toContain(newKeyId)
    expect(listed).toContain(keyId)
  })

  it('refuses the old key and its token once `latchkey keys revoke` has run', async () => {
    expect(token).toBeDefined()
    await cli(['keys', 'revoke', keyId], databaseUrl, dir)
    expect((await getTest(url(), basic(credentials.id, credentials.secret))).status).toBe(401)
    expect((await getTest(url(), `Bearer ${token}`)).status).toBe(401)
  })

  it.skipIf(!hasCurl())('works with the literal curl commands', async () => {
    const curlKeyId = await cli(
      ['keys', 'create', '--account', accountId, '--scope', 'read', '--out', 'curl.properties'],
      databaseUrl,
      dir,
    )
    const { id, secret } = parseProperties(fs.readFileSync(path.join(dir, 'curl.properties'), 'utf8'))
    expect(id).toBe(curlKeyId)
    const base = url()
    const status = (args: string): Promise<string> => shell(`curl -s -o /dev/null -w '%{http_code}' ${args}`)

    expect(await status(`${base}/api/test`)).toBe('401')
    expect(await status(`--user ${id}:${secret} ${base}/api/test`)).toBe('200')
    const body = await shell(`curl -s --user ${id}:${secret} -d grant_type=client_credentials ${base}/oauth/token`)
    const accessToken = (JSON.parse(body) as { access_token?: unknown }).access_token
    expect(accessToken).toEqual(expect.any(String))
    expect(await status(`-H "Authorization: Bearer ${accessToken}" ${base}/api/test`)).toBe('200')

    await cli(['keys', 'revoke', id], databaseUrl, dir)
    expect(await status(`--user ${id}:${secret} ${base}/api/test`)).toBe('401')
    expect(await status(`-H "Authorization: Bearer ${accessToken}" ${base}/api/test`)).toBe('401')
  })
})
