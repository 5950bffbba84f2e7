import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

// scripts/setup.sh and the `pnpm latchkey` launcher, each run from a copy in a temp directory that
// stands in for the repository, so the real dist/ folders stay whole while other tests use them.
const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const SCRIPTS = ['setup.sh', 'missing-builds.mjs', 'latchkey.mjs']

interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

function run(
  file: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error)
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr })
    })
  })
}

let root: string

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-setup-'))
  fs.mkdirSync(path.join(root, 'scripts'))
  for (const script of SCRIPTS)
    fs.copyFileSync(path.join(repoRoot, 'scripts', script), path.join(root, 'scripts', script))
  // The real manifests, so the files checked are the ones the packages really promise.
  for (const name of fs.readdirSync(path.join(repoRoot, 'packages'))) {
    const manifest = path.join(repoRoot, 'packages', name, 'package.json')
    if (!fs.existsSync(manifest)) continue
    fs.mkdirSync(path.join(root, 'packages', name), { recursive: true })
    fs.copyFileSync(manifest, path.join(root, 'packages', name, 'package.json'))
  }
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

const missingBuilds = () => run(process.execPath, ['scripts/missing-builds.mjs'], root)

/** Creates every file missing-builds.mjs reports, as a build would, and returns them. */
async function build(): Promise<string[]> {
  const files = (await missingBuilds()).stdout.trim().split('\n')
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    fs.writeFileSync(path.join(root, file), '')
  }
  return files
}

describe('scripts/missing-builds.mjs', () => {
  it('lists every built file a package promises and lacks, one a line, and exits 1', async () => {
    const result = await missingBuilds()
    expect(result.code).toBe(1)
    const files = result.stdout.trim().split('\n')
    expect(files).toContain('packages/cli/dist/bin.js')
    expect(files).toContain('packages/client/dist/node.d.cts')
    expect(files).toContain('packages/verifier/dist/adapters/express.js')
    // store-conformance has no build: it exports its source.
    expect(files.filter((file) => file.startsWith('packages/store-conformance/'))).toEqual([])
  })

  it('exits 0 and prints nothing once everything is built, and names a single dist/ file removed after', async () => {
    await build()
    expect(await missingBuilds()).toEqual({ code: 0, stdout: '', stderr: '' })
    fs.rmSync(path.join(root, 'packages/store-sqlite/dist/index.cjs'))
    expect(await missingBuilds()).toEqual({ code: 1, stdout: 'packages/store-sqlite/dist/index.cjs\n', stderr: '' })
  })
})

describe('pnpm latchkey (scripts/latchkey.mjs)', () => {
  const latchkey = (...args: string[]) => run(process.execPath, ['scripts/latchkey.mjs', ...args], root)

  it('without a built CLI, prints one line saying how to build it and exits non-zero', async () => {
    const result = await latchkey('accounts', 'list')
    expect(result.code).not.toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(
      /^latchkey is not built \(packages\/cli\/dist\/\S+ and \d+ more built files are missing\): run sh scripts\/setup\.sh, or pnpm build\.\n$/,
    )
  })

  it('with one built file gone, names it', async () => {
    await build()
    fs.rmSync(path.join(root, 'packages/cli/dist/bin.js'))
    expect((await latchkey('--help')).stderr).toMatch(
      /^latchkey is not built \(packages\/cli\/dist\/bin\.js is missing\)/,
    )
  })

  it('once built, runs the CLI with the arguments and passes its exit code on, type declarations or not', async () => {
    await build()
    fs.rmSync(path.join(root, 'packages/cli/dist/index.d.ts'))
    fs.writeFileSync(
      path.join(root, 'packages/cli/dist/bin.js'),
      'console.log(JSON.stringify(process.argv.slice(2)))\nprocess.exitCode = 3\n',
    )
    expect(await latchkey('keys', 'list', '--json')).toEqual({
      code: 3,
      stdout: '["keys","list","--json"]\n',
      stderr: '',
    })
  })
})

describe('scripts/setup.sh, run again', () => {
  let bin: string
  let log: string

  beforeEach(() => {
    // A pnpm and an npm that only record what setup.sh asks of them.
    bin = path.join(root, 'fake-bin')
    log = path.join(root, 'calls.log')
    fs.mkdirSync(bin)
    const fake = (name: string, body: string) => {
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 })
    }
    fake('pnpm', '[ "$1" = --version ] && echo 12.4.2\nexit 0')
    fake('npm', 'echo undefined')
  })

  async function setup(): Promise<{ result: Result; calls: string[] }> {
    const env = {
      ...process.env,
      PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    }
    const result = await run('sh', ['scripts/setup.sh'], root, env)
    const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []
    return { result, calls: calls.filter((call) => !call.startsWith('npm ')) }
  }

  it('builds when a dist/ is gone, although the install changed nothing', async () => {
    await build()
    fs.rmSync(path.join(root, 'packages/cli/dist'), { recursive: true })
    const { result, calls } = await setup()
    expect(result.code, result.stderr).toBe(0)
    expect(calls).toEqual(['pnpm --version', 'pnpm install --frozen-lockfile', 'pnpm build'])
    expect(result.stdout).toContain('Building the packages: packages/cli/dist/bin.js is missing.')
  })

  it('does not build again when every built file is there', async () => {
    await build()
    const { result, calls } = await setup()
    expect(result.code, result.stderr).toBe(0)
    expect(calls).toEqual(['pnpm --version', 'pnpm install --frozen-lockfile'])
  })
})
