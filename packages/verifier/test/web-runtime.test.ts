import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as FetchAdapter from '../src/adapters/fetch.js'
import type * as Core from '../src/index.js'
import type * as Manage from '../src/manage/index.js'

/** The part of esbuild's API used here; esbuild is tsup's dependency, not this package's. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { path: string; text: string }[] }>
}
interface EsbuildPluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: { path: string; importer: string }) => { path: string; external: boolean },
  ): void
}

const root = fileURLToPath(new URL('..', import.meta.url))
const reference = new URL('../../../examples/conformance/answers.json', import.meta.url)
const builtins =
  /^node:|^(assert|buffer|child_process|crypto|dns|events|fs|http|https|net|os|path|process|stream|tls|url|util|worker_threads|zlib)(\/|$)/

let dir: string
let core: typeof Core
let adapter: typeof FetchAdapter
let manage: typeof Manage
const nodeImports: string[] = []

beforeAll(async () => {
  const tsup = createRequire(import.meta.url).resolve('tsup')
  const esbuild = createRequire(tsup)('esbuild') as Esbuild
  dir = mkdtempSync(path.join(tmpdir(), 'latchkey-neutral-'))
  const { outputFiles } = await esbuild.build({
    entryPoints: {
      core: path.join(root, 'src/index.ts'),
      manage: path.join(root, 'src/manage/index.ts'),
      fetch: path.join(root, 'src/adapters/fetch.ts'),
    },
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    mainFields: ['module', 'main'],
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'no-node-builtins',
        setup(build: EsbuildPluginBuild) {
          build.onResolve({ filter: builtins }, (args) => {
            nodeImports.push(`${args.path} from ${path.relative(root, args.importer)}`)
            return { path: args.path, external: true }
          })
        },
      },
    ],
  })
  for (const file of outputFiles) writeFileSync(file.path, file.text)
  core = (await import(pathToFileURL(path.join(dir, 'core.mjs')).href)) as typeof Core
  adapter = (await import(pathToFileURL(path.join(dir, 'fetch.mjs')).href)) as typeof FetchAdapter
  manage = (await import(pathToFileURL(path.join(dir, 'manage.mjs')).href)) as typeof Manage
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('The verifier core and /fetch bundled for a neutral platform (no Node built-ins)', () => {
  it('imports no Node built-in', () => {
    expect(nodeImports).toEqual([])
  })

  it('answers the token and Bearer requests of the conformance suite as the Express example does', async () => {
    const store = new core.MemoryKeyStore()
    const manager = manage.createKeyManager(store)
    const account = await manager.createAccount({ name: 'Acme' })
    const rw = await manager.createApiKey({ accountId: account.id, scopes: ['read', 'write'] })
    const ro = await manager.createApiKey({ accountId: account.id, scopes: ['read'] })
    const verifier = core.createVerifier({ store, issuer: 'http://localhost:3000', scopesSupported: ['read', 'write'] })
    const json = (body: unknown): Response =>
      new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json; charset=utf-8' } })
    const read = adapter.withAuth(verifier, (_request, auth) =>
      json({ message: 'Hello from a Latchkey-secured API.', keyId: auth.keyId, method: auth.method }),
    )
    const write = adapter.withAuth(
      verifier,
      (_request, auth) => json({ message: 'Written.', keyId: auth.keyId, scopes: auth.scopes }),
      { scopes: ['write'] },
    )
    const app = adapter.oauthRoutes(verifier, (request) => (request.method === 'POST' ? write(request) : read(request)))

    const masks = new Map([
      [rw.id, '<rw id>'],
      [rw.secret, '<rw secret>'],
      [ro.id, '<ro id>'],
      [ro.secret, '<ro secret>'],
    ])
    const basic = (key: { id: string; secret: string }): string => `Basic ${btoa(`${key.id}:${key.secret}`)}`
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const ask = async (pathname: string, init: RequestInit = {}): Promise<Recorded> =>
      record(await app(new Request(`http://localhost:3000${pathname}`, init)), masks)
    const tokenOf = async (key: { id: string; secret: string }, body: string): Promise<string> => {
      const response = await app(
        new Request('http://localhost:3000/oauth/token', {
          method: 'POST',
          headers: { ...form, authorization: basic(key) },
          body,
        }),
      )
      return ((await response.json()) as { access_token: string }).access_token
    }
    const readToken = await tokenOf(rw, 'grant_type=client_credentials&scope=read')
    const writeToken = await tokenOf(rw, 'grant_type=client_credentials')
    const [head, payload, signature = ''] = readToken.split('.')
    const tampered = `${head}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`

    const answers: Record<string, Recorded> = {
      'token, Basic': await ask('/oauth/token', {
        method: 'POST',
        headers: { ...form, authorization: basic(rw) },
        body: 'grant_type=client_credentials',
      }),
      'token, client_secret_post': await ask('/oauth/token', {
        method: 'POST',
        headers: form,
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: rw.id,
          client_secret: rw.secret,
        }).toString(),
      }),
      'token, GET': await ask('/oauth/token', { headers: { authorization: basic(rw) } }),
      'token, scope beyond the key': await ask('/oauth/token', {
        method: 'POST',
        headers: { ...form, authorization: basic(ro) },
        body: 'grant_type=client_credentials&scope=write',
      }),
      'token, no client': await ask('/oauth/token', {
        method: 'POST',
        headers: form,
        body: 'grant_type=client_credentials',
      }),
      'GET with Bearer': await ask('/api/test', { headers: { authorization: `Bearer ${readToken}` } }),
      'GET with bearer (lower case)': await ask('/api/test', { headers: { authorization: `bearer ${readToken}` } }),
      'Bearer, tampered': await ask('/api/test', { headers: { authorization: `Bearer ${tampered}` } }),
      'POST with Bearer, scope read': await ask('/api/test', {
        method: 'POST',
        headers: { authorization: `Bearer ${readToken}` },
      }),
      'POST with Bearer, scope write': await ask('/api/test', {
        method: 'POST',
        headers: { authorization: `Bearer ${writeToken}` },
      }),
      'no credentials': await ask('/api/test'),
      metadata: await ask('/.well-known/oauth-authorization-server'),
    }
    const expected = JSON.parse(readFileSync(reference, 'utf8')) as Record<string, Recorded>
    for (const [name, answer] of Object.entries(answers))
      expect({ name, ...answer }).toEqual({ name, ...expected[name] })
  })
})

interface Recorded {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** As the conformance suite records an answer (examples/conformance/suite.ts). */
async function record(response: Response, masks: ReadonlyMap<string, string>): Promise<Recorded> {
  let body = await response.text()
  for (const [value, mask] of masks) body = body.replaceAll(value, mask)
  body = body.replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<token>').replace(/"(kid|x|n)":"[^"]*"/g, '"$1":"<$1>"')
  const headers: Record<string, string> = {}
  for (const name of ['content-type', 'cache-control', 'pragma', 'www-authenticate', 'allow', 'retry-after']) {
    const value = response.headers.get(name)
    if (value !== null) headers[name] = value
  }
  return { status: response.status, headers, body }
}
