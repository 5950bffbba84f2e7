import { execFile } from 'node:child_process'
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

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = path.resolve(exampleDir, '../..')
const cliBin = path.join(repoRoot, 'packages/cli/dist/bin.js')
const readme = fs.readFileSync(path.join(exampleDir, 'README.md'), 'utf8')
const startScript: string = JSON.parse(fs.readFileSync(path.join(exampleDir, 'package.json'), 'utf8')).scripts.start
const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '')
const runBlock = blocks.find((block) => !block.includes('keys create')) ?? ''
const createBlock = blocks.find((block) => block.includes('keys create')) ?? ''

/**
 * A `pnpm` that does what the real one does for the README's two kinds of command, without
 * installing: `pnpm --silent latchkey …` runs the CLI in the directory it was typed in, and
 * `pnpm --filter @latchkey/example-client start` runs the package's start script in examples/client with
 * INIT_CWD naming the directory it was typed in.
 */
const fakePnpm = `
pnpm() {
  if [ "$1" = --silent ] && [ "$2" = latchkey ]; then shift 2; node "$LATCHKEY_CLI" "$@"; return; fi
  if [ "$*" = "--filter @latchkey/example-client start" ]; then
    (INIT_CWD=$PWD && export INIT_CWD && cd "$EXAMPLE_DIR" && PATH="$EXAMPLE_DIR/node_modules/.bin:$PATH" sh -c "$EXAMPLE_START")
    return
  fi
  echo "the test's pnpm does not know: pnpm $*" >&2
  return 127
}
`

interface ShellResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

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

/** Runs a README block as a reader pastes it, in `root`, with {@link fakePnpm}. */
function shell(block: string): Promise<ShellResult> {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    // The reader's own key settings would decide which key the example uses.
    if (!/^(LATCHKEY|STORMPATH)_/.test(name) && name !== 'INIT_CWD') env[name] = value
  }
  Object.assign(env, {
    HOME: root,
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    LATCHKEY_DATABASE_URL: databaseUrl,
    LATCHKEY_API_URL: server.url,
    LATCHKEY_CLI: cliBin,
    EXAMPLE_DIR: exampleDir,
    EXAMPLE_START: startScript,
  })
  return new Promise((resolve, reject) => {
    execFile(
      'sh',
      ['-c', `set -e\n${fakePnpm}\n${block}`],
      { cwd: root, env, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error)
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr })
      },
    )
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
