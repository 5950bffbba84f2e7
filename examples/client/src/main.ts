/**
 * Calls the example API with @latchkey/client, the key read from ./apiKey.properties (or the
 * environment, see the README): once with HTTP Basic, once with OAuth2 client credentials.
 */
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, describeCredentialSource, isLatchkeyClientError } from '@latchkey/client/node'

const baseUrl = process.env.LATCHKEY_API_URL ?? 'http://localhost:3000'

/**
 * Where ./apiKey.properties (and a relative LATCHKEY_API_KEY_FILE) is looked for. `pnpm --filter
 * @latchkey/example-client start` runs this script in examples/client, but the key is where the command
 * was typed (the repository root, after the main README's walk-through): pnpm names that directory in
 * INIT_CWD. Run from anywhere else (`tsx examples/client/src/main.ts`, `pnpm demo`), the working
 * directory is the one meant, whatever INIT_CWD an enclosing pnpm left behind.
 */
function keyDirectory(): string {
  const exampleDir = fileURLToPath(new URL('..', import.meta.url))
  const runByPnpm = path.resolve(process.cwd()) === path.resolve(exampleDir)
  return runByPnpm && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd()
}

const cwd = keyDirectory()

async function show(label: string, response: Response): Promise<boolean> {
  console.log(`${label} → ${response.status} ${await response.text()}`)
  return response.ok
}

async function main(): Promise<boolean> {
  // HTTP Basic: the key id and secret on every request, no token endpoint.
  const basic = createClient({ mode: 'basic', baseUrl, cwd })
  console.log(`API key from ${describeCredentialSource(basic.credentialSource)}`)
  const basicOk = await show('Basic               GET  /api/test', await basic.fetch('/api/test'))

  // Client credentials: one token request, then the cached Bearer token on every call.
  const client = createClient({
    baseUrl,
    cwd,
    scope: 'read write',
    hooks: {
      onTokenResponse: ({ tokenUrl, duration, expiresIn }) =>
        console.log(`Token from ${tokenUrl} in ${duration.toFixed(0)} ms, valid ${expiresIn} s`),
    },
  })
  const getOk = await show('Client credentials  GET  /api/test', await client.fetch('/api/test'))
  const postOk = await show(
    'Client credentials  POST /api/test',
    await client.fetch('/api/test', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    }),
  )
  await client.close()
  return basicOk && getOk && postOk
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1
  },
  (error: unknown) => {
    // Client errors carry a stable code and a message that says what to do, never a secret.
    console.error(isLatchkeyClientError(error) ? `${error.code}: ${error.message}` : error)
    if (isLatchkeyClientError(error) && error.code === 'ERR_CREDENTIALS_MISSING') {
      console.error(`(This example reads ./apiKey.properties from ${cwd}.)`)
    }
    process.exitCode = 1
  },
)
