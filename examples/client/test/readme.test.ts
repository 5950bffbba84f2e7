import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  cli,
  cliCreateKey,
  makeTempDir,
  parseProperties,
  removeTempDir,
  type ServerProcess,
  spawnServer,
} from '../../express/test/harness.js'
import type { WalkthroughReport } from '../src/runtime-walkthrough.js'
import { runReadmeBlock, type ShellResult } from './readme-shell.js'

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
const readme = fs.readFileSync(path.join(exampleDir, 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '')
const runBlock = blocks.find((block) => !block.includes('keys create')) ?? ''
const createBlock = blocks.find((block) => block.includes('keys create')) ?? ''

let server: ServerProcess
let serverDir: string
let databaseUrl: string
let root: string

beforeAll(async () => {
  serverDir = makeTempDir()
  databaseUrl = `sqlite:${path.join(serverDir, 'latchkey.db')}`
  server = await spawnServer(databaseUrl, 'http://127.0.0.1')
})

afterAll(async () => {
  await server?.stop()
  removeTempDir(serverDir)
})

// A directory standing in for the repository root, so a reader's own apiKey.properties there is never touched.
beforeEach(() => {
  root = makeTempDir()
})
afterEach(() => removeTempDir(root))

/** Runs a README block as a reader pastes it, in `root`, with a `pnpm` that does not install. */
function shell(block: string): Promise<ShellResult> {
  return runReadmeBlock(block, {
    root,
    databaseUrl,
    example: { name: '@latchkey/example-client', dir: exampleDir },
    env: { LATCHKEY_API_URL: server.url },
  })
}

/** `before`: the lines the block's earlier commands print. */
function expectBothWaysWorked(result: ShellResult, keyId: string, before: readonly string[] = []): void {
  expect(result, result.stderr).toMatchObject({ code: 0 })
  const lines = result.stdout.trimEnd().split('\n')
  expect(lines).toEqual([
    ...before,
    `API key from ${path.join(root, 'apiKey.properties')}`,
    expect.stringMatching(/^Basic {15}GET {2}\/api\/test → 200 \{/),
    expect.stringMatching(/^Token from http:\/\/127\.0\.0\.1:\d+\/oauth\/token in \d+ ms, valid \d+ s$/),
    expect.stringMatching(/^Client credentials {2}GET {2}\/api\/test → 200 \{/),
    expect.stringMatching(/^Client credentials {2}POST \/api\/test → 200 \{/),
  ])
  for (const line of lines.filter((line) => line.includes('→'))) expect(line).toContain(keyId)
  expect(result.stdout + result.stderr).not.toMatch(/lksecret_/)
}

describe('examples/client/README.md, run from the repository root', () => {
  it('documents the start script, run from the root, and a create step', () => {
    expect(runBlock.trim()).toBe('pnpm --filter @latchkey/example-client start')
    expect(createBlock.trim().split('\n').at(-1)).toBe('pnpm --filter @latchkey/example-client start')
  })

  it('works right after the main walk-through, with the rotated key it left in ./apiKey.properties', async () => {
    // The walk-through's end state: a key created, rotated into apiKey.properties, the old one revoked.
    const created = await cliCreateKey(databaseUrl, root)
    const rotated = await cli(
      ['keys', 'rotate', created.id, '--overlap', '1h', '--out', created.file, '--force'],
      databaseUrl,
      root,
    )
    await cli(['keys', 'revoke', created.id], databaseUrl, root)
    expect(parseProperties(fs.readFileSync(created.file, 'utf8')).id).toBe(rotated)

    expectBothWaysWorked(await shell(runBlock), rotated)
  })

  it('works without the walk-through: its create step writes ./apiKey.properties, then the run step reads it', async () => {
    const result = await shell(createBlock)
    const { id } = parseProperties(fs.readFileSync(path.join(root, 'apiKey.properties'), 'utf8'))
    // `keys create` prints the new key's id.
    expectBothWaysWorked(result, id, [id])
  })

  it('names the directory it looked in when there is no key there', async () => {
    const result = await shell(runBlock)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('ERR_CREDENTIALS_MISSING')
    expect(result.stderr).toContain(`(This example reads ./apiKey.properties from ${root}.)`)
  })
})

describe('its section on Bun, Deno and workerd', () => {
  const setupBlock = blocks.find((block) => block.includes('LATCHKEY_REFUSED_TOKEN')) ?? ''
  const runtimesBlock = blocks.find((block) => block.includes('walkthrough:bun')) ?? ''
  const { scripts } = JSON.parse(fs.readFileSync(path.join(exampleDir, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }

  it('runs each runtime with a package script of its own', () => {
    const runtimes = ['bun', 'deno', 'workerd']
    expect(runtimesBlock.trim().split('\n')).toEqual(
      runtimes.map((runtime) => `pnpm --filter @latchkey/example-client walkthrough:${runtime}`),
    )
    for (const name of ['walkthrough', ...runtimes.map((runtime) => `walkthrough:${runtime}`)]) {
      expect(scripts).toHaveProperty([name])
    }
  })

  it('works as written: a key, a token the API refuses, then every step of the walk-through on Node', async () => {
    // The API listens on a free port here, not on 3000. test/runtimes.test.ts runs the other scripts.
    const result = await shell(setupBlock.replaceAll('http://127.0.0.1:3000', server.url))
    expect(result, result.stderr).toMatchObject({ code: 0 })
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as WalkthroughReport
    expect(report.steps.map(({ step, ok }) => `${step} ${ok}`)).toEqual(
      ['basic', 'bearer-get', 'bearer-post', 'refresh-stale', 'refresh-expired', 'retry-401'].map(
        (step) => `${step} true`,
      ),
    )
    expect(result.stdout + result.stderr).not.toMatch(/lksecret_/)
  })
})
