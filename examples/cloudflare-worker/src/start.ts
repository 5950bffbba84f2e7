/**
 * `pnpm --filter @latchkey/example-cloudflare-worker start`: the Worker in workerd, through
 * miniflare, on http://127.0.0.1:8787 (`PORT`, `HOST`), calling the API at `LATCHKEY_API_URL`
 * (default http://127.0.0.1:3000). The key is found as `@latchkey/client/node` finds it, from the
 * directory the command was typed in, and handed to the Worker as the two secrets it reads on Cloudflare.
 */
import { fileURLToPath } from 'node:url'
import { describeCredentialSource, isLatchkeyClientError, resolveCredentials } from '@latchkey/client/node'
import type { ApiBindings } from './api-client.js'
import { bundleWorker } from './bundle-worker.js'
import { startLocalWorker } from './local-worker.js'

const apiUrl = process.env.LATCHKEY_API_URL ?? 'http://127.0.0.1:3000'
const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? 8787)
// pnpm runs this in examples/cloudflare-worker and names the directory the command was typed in INIT_CWD.
const cwd = process.env.INIT_CWD ?? process.cwd()

async function main(): Promise<void> {
  const { apiKey, source } = resolveCredentials({ cwd })
  const bindings: ApiBindings = {
    LATCHKEY_API_URL: apiUrl,
    LATCHKEY_API_KEY_ID: apiKey.id,
    LATCHKEY_API_KEY_SECRET: apiKey.secret,
  }
  const script = await bundleWorker(fileURLToPath(new URL('./worker.ts', import.meta.url)))
  const worker = await startLocalWorker({
    script,
    bindings: { ...bindings },
    host,
    port,
    onOutput: (text) => process.stdout.write(text),
  })
  console.log(
    `Cloudflare Worker example on ${worker.url.origin} (workerd), calling ${apiUrl}\n` +
      `API key ${apiKey.id} from ${describeCredentialSource(source)}`,
  )
  const stop = (): void => {
    worker.dispose().finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  // Client errors carry a stable code and a message that says what to do, never a secret.
  console.error(isLatchkeyClientError(error) ? `${error.code}: ${error.message}` : error)
  process.exitCode = 1
})
