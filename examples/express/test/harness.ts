import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { openSqliteKeyStore } from '@latchkey/store-sqlite'
import type { AuthEvent, KeyStore, VerifierOptions } from '@latchkey/verifier'
import { createKeyManager, type KeyManager } from '@latchkey/verifier/manage'
import { expect } from 'vitest'
import { createApp } from '../src/app.js'

/** The monorepo root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const exampleRoot = path.join(repoRoot, 'examples/express')
const cliBin = path.join(repoRoot, 'packages/cli/dist/bin.js')

/** The issuer every in-process test server uses; it need not be the listening address. */
export const ISSUER = 'https://api.latchkey.test'

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(tmpdir(), 'latchkey-'))
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

/** A real SQLite key store in a file of `dir`. */
export function openStore(dir: string): KeyStore & { close(): unknown } {
  return openSqliteKeyStore(path.join(dir, 'latchkey.db'))
}

// ---------------------------------------------------------------------------------------------
// In-process server

export interface StartOptions {
  /** Opens the SQLite file of this other server's directory instead of a new one (two servers, one database). */
  readonly shareDatabaseWith?: TestServer
  /** Wraps the real SQLite store before the server gets it (the key manager keeps the real one). */
  readonly wrapStore?: (store: KeyStore) => KeyStore
  readonly verifier?: Omit<VerifierOptions, 'store' | 'issuer'>
}

export interface TestServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  readonly issuer: string
  /** The real SQLite store (not the wrapped one). */
  readonly store: KeyStore
  readonly manager: KeyManager
  readonly dir: string
  /** Every line the app logged. */
  readonly logs: string[]
  /** Every audit event the verifier emitted. */
  readonly events: AuthEvent[]
  stop(): Promise<void>
}

/** Starts the example app on loopback, on a fresh SQLite file in a temp dir. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const ownsDir = options.shareDatabaseWith === undefined
  const dir = options.shareDatabaseWith?.dir ?? makeTempDir()
  const store = openStore(dir)
  const logs: string[] = []
  const events: AuthEvent[] = []
  const settings = options.verifier ?? {}
  const app = createApp({
    store: options.wrapStore ? options.wrapStore(store) : store,
    issuer: ISSUER,
    log: (line) => logs.push(line),
    verifier: {
      ...settings,
      onEvent: (event) => {
        events.push(event)
        settings.onEvent?.(event)
      },
    },
  })
  const server = await new Promise<http.Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
    listening.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    issuer: ISSUER,
    store,
    manager: createKeyManager(store),
    dir,
    logs,
    events,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await store.close()
      if (ownsDir) removeTempDir(dir)
    },
  }
}

export interface TestKey {
  readonly accountId: string
  readonly id: string
  readonly secret: string
}

/** Creates an account and a key with `scopes` in it. */
export async function createKey(manager: KeyManager, scopes: readonly string[] = ['read']): Promise<TestKey> {
  const account = await manager.createAccount({ name: 'Test account' })
  const key = await manager.createApiKey({ accountId: account.id, scopes })
  return { accountId: account.id, id: key.id, secret: key.secret }
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** The `Authorization` value of HTTP Basic (RFC 7617) for `id` and `secret`, UTF-8. */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`
}

/** Basic credentials from raw bytes, for encodings no string produces. */
export function basicBytes(bytes: readonly number[]): string {
  return `Basic ${Buffer.from(bytes).toString('base64')}`
}

export interface HttpResult {
  readonly status: number
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Record<string, string>
  readonly body: string
}

export interface RequestOptions {
  readonly method?: string
  /** An array value sends one header line per element (with {@link rawCall}; fetch joins them). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>
  readonly body?: string | Buffer
  /** Milliseconds before the request is abandoned. Default: 5000. */
  readonly timeout?: number
}

/** `fetch` with a bounded wait, the answer read whole. */
export async function call(base: string, pathname: string, options: RequestOptions = {}): Promise<HttpResult> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    for (const item of typeof value === 'string' ? [value] : value) headers.append(name, item)
  }
  const response = await fetch(base + pathname, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : new Uint8Array(options.body) }),
    signal: AbortSignal.timeout(options.timeout ?? 5000),
  })
  const result: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    result[name] = value
  })
  return { status: response.status, headers: result, body: await response.text() }
}

/**
 * A request through `node:http`, which sends repeated headers as separate lines (fetch merges them)
 * and sends no `Content-Length` when `chunked` bodies are given as several parts.
 */
export function rawCall(
  base: string,
  pathname: string,
  options: RequestOptions & { readonly chunks?: readonly (string | Buffer)[] } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      base + pathname,
      { method: options.method ?? 'GET', headers: (options.headers ?? {}) as http.OutgoingHttpHeaders, agent: false },
      (response: http.IncomingMessage) => {
        const parts: Buffer[] = []
        response.on('data', (chunk: Buffer) => parts.push(chunk))
        response.on('end', () => {
          const headers: Record<string, string> = {}
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
          }
          resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(parts).toString('utf8') })
        })
        response.on('error', reject)
      },
    )
    request.setTimeout(options.timeout ?? 5000, () => request.destroy(new Error('The request timed out.')))
    request.on('error', reject)
    if (options.chunks) {
      for (const chunk of options.chunks) request.write(chunk)
      request.end()
    } else {
      request.end(options.body)
    }
  })
}

/** Sends `head` (request line and headers, CRLF-separated, without the final blank line) over a bare socket. */
export function rawSocket(base: string, head: Buffer): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const parts: Buffer[] = []
    socket.setTimeout(5000, () => socket.destroy(new Error('The raw request timed out.')))
    socket.on('connect', () => socket.end(Buffer.concat([head, Buffer.from('\r\nConnection: close\r\n\r\n')])))
    socket.on('data', (chunk: Buffer) => parts.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(parts).toString('latin1')
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text })
    })
  })
}

/** Headers of `result` that are the same for identical answers: all but `date`. */
export function stableHeaders(result: HttpResult): Record<string, string> {
  const { date: _, ...rest } = result.headers
  return rest
}

/** The JSON body of `result`. */
export function json(result: HttpResult): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>
}

/** A form-urlencoded POST to the token endpoint. */
export function tokenRequest(
  base: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return call(base, '/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  })
}

/** Gets an access token with Basic client authentication; throws unless the answer is 200. */
export async function getToken(
  base: string,
  key: { readonly id: string; readonly secret: string },
  extra: Record<string, string> = {},
): Promise<string> {
  const result = await tokenRequest(
    base,
    { grant_type: 'client_credentials', ...extra },
    { authorization: basic(key.id, key.secret) },
  )
  if (result.status !== 200) throw new Error(`The token request answered ${result.status}: ${result.body}`)
  const token = json(result).access_token
  if (typeof token !== 'string') throw new Error('The token response has no access_token.')
  return token
}

/** `GET /api/test` with `authorization`. */
export function getTest(base: string, authorization?: string): Promise<HttpResult> {
  return call(base, '/api/test', authorization === undefined ? {} : { headers: { authorization } })
}

/** Polls `check` every `interval` ms until it is true; returns the elapsed ms, or throws after `timeout` ms. */
export async function waitUntil(check: () => Promise<boolean>, timeout: number, interval = 20): Promise<number> {
  const started = performance.now()
  for (;;) {
    if (await check()) return performance.now() - started
    if (performance.now() - started > timeout) throw new Error(`The condition did not hold within ${timeout} ms.`)
    await sleep(interval)
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

// ---------------------------------------------------------------------------------------------
// Real processes

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real `latchkey` CLI (packages/cli/dist/bin.js) against `databaseUrl`. */
export function runCli(args: readonly string[], databaseUrl: string, cwd: string = repoRoot): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cliBin, ...args],
      { cwd, env: { ...process.env, LATCHKEY_DATABASE_URL: databaseUrl }, timeout: 15_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error)
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr })
      },
    )
  })
}

/** Runs the CLI and returns its trimmed stdout; throws when it exits non-zero. */
export async function cli(args: readonly string[], databaseUrl: string, cwd?: string): Promise<string> {
  const result = await runCli(args, databaseUrl, cwd)
  if (result.code !== 0) throw new Error(`latchkey ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result.stdout.trim()
}

/** Parses an `apiKey.properties` text. */
export function parseProperties(text: string): { id: string; secret: string } {
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^\s*([\w.]+)\s*[=:]\s*(.*?)\s*$/.exec(line)
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2])
  }
  const id = values.get('apiKey.id')
  const secret = values.get('apiKey.secret')
  if (id === undefined || secret === undefined)
    throw new Error('The properties text has no apiKey.id or apiKey.secret.')
  return { id, secret }
}

/** Creates an account and a key with the CLI, the key written to `dir/apiKey.properties`. */
export async function cliCreateKey(
  databaseUrl: string,
  dir: string,
  scope = 'read write',
  file = 'apiKey.properties',
): Promise<TestKey & { readonly file: string }> {
  const accountId = await cli(['accounts', 'create', '--name', 'Acme'], databaseUrl)
  const out = path.join(dir, file)
  const id = await cli(['keys', 'create', '--account', accountId, '--scope', scope, '--out', out], databaseUrl)
  const parsed = parseProperties(fs.readFileSync(out, 'utf8'))
  if (parsed.id !== id) throw new Error(`The CLI printed ${id} but wrote ${parsed.id}.`)
  return { accountId, id, secret: parsed.secret, file: out }
}

export interface ServerProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  output(): { stdout: string; stderr: string }
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>
}

/**
 * Spawns the real example server (`examples/express/src/server.ts` through tsx) on a free loopback
 * port and waits for its "listening" line.
 */
export async function spawnServer(
  databaseUrl: string,
  issuer: string,
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> {
  // `node --import tsx` rather than the tsx binary: one process, so its pid is the server's.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: exampleRoot,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LATCHKEY_DATABASE_URL: databaseUrl,
      LATCHKEY_ISSUER: issuer,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let gone = false
  void exited.then(() => {
    gone = true
  })
  const stop = async (): Promise<number | null> => {
    if (!gone) child.kill('SIGTERM')
    const timer = setTimeout(() => {
      if (!gone) child.kill('SIGKILL')
    }, 5000)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The server did not start within 20 s:\n${stdout}${stderr}`)),
        20_000,
      )
      const onData = (): void => {
        const match = /Latchkey example API on (http:\/\/[\d.]+:\d+)/.exec(stdout)
        if (match?.[1]) {
          clearTimeout(timer)
          child.stdout.off('data', onData)
          resolve(match[1])
        }
      }
      child.stdout.on('data', onData)
      void exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`The server exited with ${code} before listening:\n${stdout}${stderr}`))
      })
    })
    return { url, child, output: () => ({ stdout, stderr }), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Every answer in `answers` equals `reference` in status, headers (but the date) and body bytes. */
export function expectIdenticalAnswers(reference: HttpResult, answers: Record<string, HttpResult>): void {
  for (const [name, answer] of Object.entries(answers)) {
    expect({ name, status: answer.status, headers: stableHeaders(answer), body: answer.body }).toEqual({
      name,
      status: reference.status,
      headers: stableHeaders(reference),
      body: reference.body,
    })
  }
}

/** `secret` with its last character changed (see {@link wrongAt}): always wrong, whatever that character was. */
export function wrongSecret(secret: string): string {
  return wrongAt(secret, -1)
}

/**
 * `secret` with one character changed at `position` (negative counts from the end). A secret Latchkey
 * issued keeps its shape: the change is made in its random part (before the 6-character checksum),
 * and the checksum recomputed, so the wrong secret is checked against the stored hash rather than
 * refused on sight.
 */
export function wrongAt(secret: string, position: number): string {
  const checksummed = /^lksecret_[A-Za-z0-9]{49}$/.test(secret)
  const chars = [...(checksummed ? secret.slice(0, -6) : secret)]
  const index = position < 0 ? chars.length + position : position
  chars[index] = chars[index] === 'A' ? 'B' : 'A'
  const changed = chars.join('')
  return checksummed ? changed + secretChecksum(changed) : changed
}

const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * The checksum that ends a secret Latchkey issues, computed as docs/security.md describes it and
 * independently of the verifier's code: the first 32 bits of the SHA-256 of `body`, big-endian, as 6
 * base62 digits.
 */
export function secretChecksum(body: string): string {
  let value = createHash('sha256').update(body).digest().readUInt32BE(0)
  let digits = ''
  for (let index = 0; index < 6; index++) {
    digits = base62.charAt(value % 62) + digits
    value = Math.floor(value / 62)
  }
  return digits
}

/** A revoked key, a disabled key and a key of a disabled account: every way a real key is refused. */
export async function createRefusedKeys(
  manager: KeyManager,
): Promise<{ revoked: TestKey; disabled: TestKey; inDisabledAccount: TestKey }> {
  const revoked = await createKey(manager)
  await manager.revokeApiKey(revoked.id)
  const disabled = await createKey(manager)
  await manager.disableApiKey(disabled.id)
  const inDisabledAccount = await createKey(manager)
  await manager.disableAccount(inDisabledAccount.accountId)
  return { revoked, disabled, inDisabledAccount }
}
