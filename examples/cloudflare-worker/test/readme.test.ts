import * as fs from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runReadmeBlock, spawnReadmeBlock, stopReadmeBlock } from '../../client/test/readme-shell.js'
import { startExample } from '../../conformance/example-process.js'

// README.md's commands as a reader runs them from the repository root, with `pnpm start` (the Express
// example) running. A temporary directory stands in for the root, so a reader's apiKey.properties
// there is never touched; the Worker listens on a free port instead of 8787.

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
const readme = fs.readFileSync(path.join(exampleDir, 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => (match[1] ?? '').trim())
const keyBlock = blocks.find((block) => block.includes('keys create')) ?? ''
const startBlock = blocks.find((block) => block.includes('--filter')) ?? ''
const curlBlock = blocks.find((block) => block.startsWith('curl')) ?? ''
const api = startExample('express')
let root: string

beforeAll(() => {
  root = fs.mkdtempSync(path.join(tmpdir(), 'latchkey-worker-readme-'))
})

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true })
})

/** Resolves with the Worker's URL once the start script prints it; rejects when it exits or takes 30 s. */
function workerUrl(child: ReturnType<typeof spawnReadmeBlock>, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The Worker did not start within 30 s:\n${output()}`)), 30_000)
    child.stdout?.on('data', () => {
      const url = /Cloudflare Worker example on (http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1]
      if (url) {
        clearTimeout(timer)
        resolve(url)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`The start command exited with ${code}:\n${output()}`))
    })
  })
}

describe('examples/cloudflare-worker/README.md, run from the repository root', () => {
  it('documents a key step, the start script run from the root, and a call to it', () => {
    expect(keyBlock).toContain('--out apiKey.properties')
    expect(startBlock).toBe('pnpm --filter @latchkey/example-cloudflare-worker start')
    expect(curlBlock).toBe('curl http://127.0.0.1:8787/')
  })

  it('works as written: the key step, then the start command, then GET /', async () => {
    const options = { root, databaseUrl: api.databaseUrl() }
    const created = await runReadmeBlock(keyBlock, options)
    expect(created, created.stderr).toMatchObject({ code: 0 })
    const keyId = created.stdout.trim().split('\n').at(-1)
    expect(fs.readFileSync(path.join(root, 'apiKey.properties'), 'utf8')).toContain(`apiKey.id = ${keyId}`)

    const child = spawnReadmeBlock(startBlock, {
      ...options,
      example: { name: '@latchkey/example-cloudflare-worker', dir: exampleDir },
      env: { LATCHKEY_API_URL: api.url(), PORT: '0' },
    })
    let output = ''
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      output += text
    })
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      output += text
    })
    try {
      const url = await workerUrl(child, () => output)
      expect(output).toContain(`API key ${keyId} from ${path.join(root, 'apiKey.properties')}`)
      const response = await fetch(`${url}${new URL(curlBlock.slice('curl '.length)).pathname}`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ message: 'Hello from a Latchkey-secured API.', keyId, method: 'bearer' })
      expect(output).not.toMatch(/lksecret_/)
    } finally {
      await stopReadmeBlock(child)
    }
  }, 60_000)
})
