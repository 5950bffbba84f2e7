import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliKey, cli, cliCreateKey, startExample } from '../../conformance/example-process.js'
import { type ApiBindings, apiClientFor } from '../src/api-client.js'
import { bundleWorker } from '../src/bundle-worker.js'
import { type LocalWorker, startLocalWorker } from '../src/local-worker.js'

// The Worker as `pnpm start` runs it (bundled, in workerd, through miniflare, no nodejs_compat),
// against the real Express example; readme.test.ts runs the start script itself.

const testDir = fileURLToPath(new URL('.', import.meta.url))
const workerEntry = fileURLToPath(new URL('../src/worker.ts', import.meta.url))
const api = startExample('express')
let key: CliKey
let otherKey: CliKey
let script: string

beforeAll(async () => {
  const accountId = await cli(api.databaseUrl(), 'accounts', 'create', '--name', 'Worker')
  ;[key, otherKey] = await Promise.all([
    cliCreateKey(api.databaseUrl(), accountId, 'read'),
    cliCreateKey(api.databaseUrl(), accountId, 'read'),
  ])
  script = await bundleWorker(workerEntry)
})

function bindingsFor({ id, secret }: { id: string; secret: string }): ApiBindings {
  return { LATCHKEY_API_URL: api.url(), LATCHKEY_API_KEY_ID: id, LATCHKEY_API_KEY_SECRET: secret }
}

/** Tokens the API issued after `from` characters of its output, as it logged them. */
function tokensIssued(from: number): number {
  const lines = api.stdout().slice(from).split('\n')
  return lines.filter((line) => line.startsWith('POST /oauth/token 200 ')).length
}

describe('the Worker in workerd, with the key in its secrets', () => {
  let worker: LocalWorker
  let from: number

  beforeAll(async () => {
    from = api.stdout().length
    worker = await startLocalWorker({ script, bindings: { ...bindingsFor(key) } })
  })

  afterAll(async () => {
    await worker?.dispose()
  })

  it("answers GET / with the API's /api/test, called with a Bearer token of its key", async () => {
    const response = await worker.fetch('/')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      message: 'Hello from a Latchkey-secured API.',
      keyId: key.id,
      method: 'bearer',
    })
  })

  it('serves later requests, concurrent ones included, with that token: one token request in all', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, () => worker.fetch('/')))
    const answers = await Promise.all(responses.map(async (response) => [response.status, await response.text()]))
    for (const [status, body] of answers)
      expect({ status, body: JSON.parse(String(body)) }).toMatchObject({ status: 200, body: { keyId: key.id } })
    expect((await worker.fetch('/')).status).toBe(200)
    await expect.poll(() => tokensIssued(from)).toBe(1)
    expect(worker.output()).toBe('')
  })

  it('answers 404 elsewhere and 405 to other methods', async () => {
    expect((await worker.fetch('/api/test')).status).toBe(404)
    const posted = await worker.fetch('/', { method: 'POST' })
    expect([posted.status, posted.headers.get('allow')]).toEqual([405, 'GET'])
  })
})

describe('the Worker in workerd, new, with requests arriving together', () => {
  it('serves them all with one token request, which they share', async () => {
    const from = api.stdout().length
    const worker = await startLocalWorker({ script, bindings: { ...bindingsFor(otherKey) } })
    try {
      const responses = await Promise.all(Array.from({ length: 5 }, () => worker.fetch('/')))
      for (const response of responses) expect(response.status, await response.text()).toBe(200)
      await expect.poll(() => tokensIssued(from)).toBe(1)
    } finally {
      await worker.dispose()
    }
  })
})

describe('the Worker in workerd, with a secret the API refuses', () => {
  it("answers 502 with the client's error code and message, never the secret", async () => {
    const wrong = `${key.secret.slice(0, -1)}${key.secret.endsWith('x') ? 'y' : 'x'}`
    const worker = await startLocalWorker({ script, bindings: { ...bindingsFor({ id: key.id, secret: wrong }) } })
    try {
      const response = await worker.fetch('/')
      const text = await response.text()
      expect(response.status).toBe(502)
      expect(JSON.parse(text)).toMatchObject({ error: 'ERR_OAUTH', message: expect.stringContaining('invalid_client') })
      expect(text).not.toContain(wrong)
    } finally {
      await worker.dispose()
    }
  })
})

describe("apiClientFor, the Worker's clients (run here in Node)", () => {
  it('keeps one client while the bindings stay, and uses the key they name as soon as they change', async () => {
    const from = api.stdout().length
    const keyIdOf = async (bindings: ApiBindings) =>
      ((await (await apiClientFor(bindings).fetch('/api/test')).json()) as { keyId: string }).keyId
    expect(apiClientFor(bindingsFor(key))).toBe(apiClientFor(bindingsFor(key)))
    expect(await keyIdOf(bindingsFor(key))).toBe(key.id)
    expect(await keyIdOf(bindingsFor(key))).toBe(key.id)
    expect(await keyIdOf(bindingsFor(otherKey))).toBe(otherKey.id)
    expect(await keyIdOf(bindingsFor(otherKey))).toBe(otherKey.id)
    await expect.poll(() => tokensIssued(from)).toBe(2)
  })
})

describe('workerd, as Cloudflare runs Workers', () => {
  it('refuses to load a bundle that imports a Node built-in without nodejs_compat', async () => {
    const withNodeImport = await bundleWorker({
      contents: `import 'node:fs'\nexport { default } from ${JSON.stringify(workerEntry)}`,
      resolveDir: testDir,
    })
    await expect(startLocalWorker({ script: withNodeImport })).rejects.toThrow(/No such module "node:fs"/)
  })

  // workerd ties I/O objects (an AbortController among them) to the request that made them: a client
  // kept in module scope must make none it reuses in a later request.
  it('lets a client made in one request serve the next ones, as api-client.ts keeps it', async () => {
    const keptClient = await bundleWorker({
      contents: `import { createClient } from '@latchkey/client'
        let client
        export default {
          async fetch(request, env) {
            client ??= createClient({ baseUrl: env.LATCHKEY_API_URL, apiKey: { id: env.LATCHKEY_API_KEY_ID, secret: env.LATCHKEY_API_KEY_SECRET } })
            return new Response((await client.fetch('/api/test')).body)
          },
        }`,
      resolveDir: testDir,
    })
    const worker = await startLocalWorker({ script: keptClient, bindings: { ...bindingsFor(key) } })
    try {
      for (let request = 1; request <= 3; request++) {
        const answer = await worker.fetch('/')
        expect(answer.status, await answer.clone().text()).toBe(200)
        expect(await answer.json()).toMatchObject({ keyId: key.id, method: 'bearer' })
      }
    } finally {
      await worker.dispose()
    }
  })
})
