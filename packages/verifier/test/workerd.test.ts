import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleWorker } from '../../../examples/cloudflare-worker/src/bundle-worker.js'
import { type LocalWorker, startLocalWorker } from '../../../examples/cloudflare-worker/src/local-worker.js'
import { wrongSecret } from './wrong-secret.js'

// web-runtime.test.ts bundles the core for a neutral platform and runs the bundle in Node. This runs
// it where Node is not: in workerd, the Cloudflare Workers runtime (Web APIs, WebCrypto's Ed25519, no
// `process`, no Node built-ins without the nodejs_compat flag, which is not set), through miniflare.

const testDir = fileURLToPath(new URL('.', import.meta.url))
const reference = JSON.parse(
  readFileSync(new URL('../../../examples/conformance/answers.json', import.meta.url), 'utf8'),
) as Record<string, { status: number; headers: Record<string, string>; body: string }>

let worker: LocalWorker
let key: { id: string; secret: string }

beforeAll(async () => {
  worker = await startLocalWorker({ script: await bundleWorker(`${testDir}workerd-worker.ts`) })
  key = (await (await worker.fetch('/seeded-key')).json()) as typeof key
})

afterAll(async () => {
  await worker?.dispose()
})

const basic = (id: string, secret: string): string => `Basic ${btoa(`${id}:${secret}`)}`

/** Expects `response` to be the answer Express gives to the conformance request `name` (answers.json). */
async function expectAnswerOf(name: string, response: { status: number; headers: Headers; text(): Promise<string> }) {
  const expected = reference[name]
  if (!expected) throw new Error(`answers.json has no answer named ${name}.`)
  const body = (await response.text()).replaceAll(key.id, '<rw id>').replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<token>')
  const headers = Object.fromEntries(
    Object.keys(expected.headers).map((header) => [header, response.headers.get(header)]),
  )
  expect({ name, status: response.status, headers, body }).toEqual({ name, ...expected })
}

async function tokenResponse() {
  return worker.fetch('/oauth/token', {
    method: 'POST',
    headers: { authorization: basic(key.id, key.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })
}

describe('the verifier core and /fetch in workerd, without nodejs_compat', () => {
  it('answers a request without credentials with 401 and a challenge for each scheme', async () => {
    await expectAnswerOf('no credentials', await worker.fetch('/api/test'))
  })

  it('accepts the key with HTTP Basic', async () => {
    await expectAnswerOf(
      'GET with Basic',
      await worker.fetch('/api/test', { headers: { authorization: basic(key.id, key.secret) } }),
    )
  })

  it('refuses a wrong secret with 401 invalid_client', async () => {
    const authorization = basic(key.id, wrongSecret(key.secret))
    await expectAnswerOf('Basic, wrong secret', await worker.fetch('/api/test', { headers: { authorization } }))
  })

  it('issues an access token, signed with Ed25519, and accepts it as a Bearer token', async () => {
    const issued = await tokenResponse()
    const { access_token: token } = (await issued.clone().json()) as { access_token: string }
    await expectAnswerOf('token, Basic', issued)
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({
      alg: 'EdDSA',
      typ: 'at+jwt',
    })
    await expectAnswerOf(
      'GET with Bearer',
      await worker.fetch('/api/test', { headers: { authorization: `Bearer ${token}` } }),
    )
  })

  it('refuses a token whose signature was altered with 401 invalid_token', async () => {
    const { access_token: token } = (await (await tokenResponse()).json()) as { access_token: string }
    const [head, payload, signature = ''] = token.split('.')
    const tampered = `${head}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
    await expectAnswerOf(
      'Bearer, tampered',
      await worker.fetch('/api/test', { headers: { authorization: `Bearer ${tampered}` } }),
    )
  })

  // workerd refuses random values, timers and I/O at a module's global scope: loading the core (and
  // its Fetch adapter and manage entry) at the top of a Worker must do none of them.
  it('loads when a Worker imports the core at global scope, as Workers import modules', async () => {
    const script = await bundleWorker({
      contents: [
        `import { createVerifier } from '../src/index.js'`,
        `import { withAuth } from '../src/adapters/fetch.js'`,
        `import { createKeyManager } from '../src/manage/index.js'`,
        'export default { fetch: () => new Response([createVerifier, withAuth, createKeyManager].map((f) => typeof f).join()) }',
      ].join('\n'),
      resolveDir: testDir,
    })
    const worker = await startLocalWorker({ script })
    try {
      expect(await (await worker.fetch('/')).text()).toBe('function,function,function')
    } finally {
      await worker.dispose()
    }
  })
})
