import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type CliKey, cli, cliCreateKey, repoRoot, startExample } from '../../conformance/example-process.js'
import { WALKTHROUGH_VARIABLES, type WalkthroughOptions, type WalkthroughReport } from '../src/runtime-walkthrough.js'
import { expectWalkthroughPassed } from './walkthrough-expectations.js'

// The client's runtime-neutral entry on each runtime it claims, against the real Express example:
// src/runtime-walkthrough.ts runs unchanged through the package's walkthrough scripts, the ones the
// README documents: on Node, Bun and Deno as a script (the package resolved from the workspace's
// node_modules), and in workerd bundled into one module without nodejs_compat, so that a node: import
// in @latchkey/client would stop the Worker from loading.

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
const api = startExample('express')
let options: WalkthroughOptions
let denoDir: string

/** An access token of `key`, from the API's token endpoint. */
async function tokenOf(key: CliKey): Promise<string> {
  const response = await fetch(`${api.url()}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${key.id}:${key.secret}`)}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  })
  return ((await response.json()) as { access_token: string }).access_token
}

beforeAll(async () => {
  const databaseUrl = api.databaseUrl()
  const accountId = await cli(databaseUrl, 'accounts', 'create', '--name', 'Runtimes')
  const [key, revoked] = await Promise.all([
    cliCreateKey(databaseUrl, accountId, 'read write'),
    cliCreateKey(databaseUrl, accountId, 'read'),
  ])
  // README step 6: a token issued before its key was revoked is refused from then on.
  const refusedToken = await tokenOf(revoked)
  await cli(databaseUrl, 'keys', 'revoke', revoked.id)
  const refused = await fetch(`${api.url()}/api/test`, { headers: { authorization: `Bearer ${refusedToken}` } })
  expect(refused.status).toBe(401)
  // The log line of that 401 is written after the answer: let it come before the tests count lines.
  await vi.waitFor(() => expect(api.stdout()).toContain('GET /api/test 401 '))
  options = { apiUrl: api.url(), keyId: key.id, secret: key.secret, refusedToken }
  denoDir = mkdtempSync(path.join(tmpdir(), 'latchkey-deno-'))
})

afterAll(() => {
  if (denoDir) rmSync(denoDir, { recursive: true, force: true })
})

/** The walk-through's options as the variables the script and the Worker read. */
function variables(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(WALKTHROUGH_VARIABLES).map(([option, name]) => [name, options[option as keyof WalkthroughOptions]]),
  )
}

const scripts = (
  JSON.parse(readFileSync(path.join(exampleDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts

/**
 * Runs the package script `name` as `pnpm --filter @latchkey/example-client <name>` does (in
 * examples/client, with its and the workspace root's node_modules/.bin on the PATH), with the
 * walk-through's variables, `env`, PATH and HOME only; its stdout parsed as the report.
 */
function runPackageScript(name: string, env: Record<string, string> = {}): Promise<WalkthroughReport> {
  const script = scripts[name]
  if (script === undefined) throw new Error(`examples/client/package.json has no ${name} script.`)
  const bins = [path.join(exampleDir, 'node_modules/.bin'), path.join(repoRoot, 'node_modules/.bin')]
  const PATH = [...bins, path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter)
  const base = { PATH, HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1' }
  return new Promise((resolve, reject) => {
    const options = { cwd: exampleDir, env: { ...base, ...variables(), ...env }, timeout: 30_000 }
    execFile('sh', ['-c', script], options, (error, stdout, stderr) => {
      try {
        // A failed step still prints its report (exit code 1): the comparison shows which step.
        resolve(JSON.parse(stdout) as WalkthroughReport)
      } catch {
        reject(new Error(`${name} (${script}) printed no report (${error?.message}):\n${stdout}${stderr}`))
      }
    })
  })
}

/** Tokens issued and 401s answered, as the API logged them after `from` characters of its output. */
function apiTraffic(from: number): { tokens: number; refused: number } {
  const lines = api.stdout().slice(from).split('\n')
  return {
    tokens: lines.filter((line) => line.startsWith('POST /oauth/token 200 ')).length,
    refused: lines.filter((line) => line.startsWith('GET /api/test 401 ')).length,
  }
}

/** Runs the walk-through with `run`, and checks its report and what the API saw. */
async function expectWalkthroughOn(run: () => Promise<WalkthroughReport>): Promise<void> {
  const from = api.stdout().length
  expectWalkthroughPassed(await run(), options)
  // The server's side: initial, stale and expired tokens, one for each store-sharing instance; one 401.
  await expect.poll(() => apiTraffic(from)).toEqual({ tokens: 5, refused: 1 })
}

describe('the client walk-through on every runtime, against the Express example', () => {
  it('runs on Node (pnpm walkthrough), the reference', async () => {
    await expectWalkthroughOn(() => runPackageScript('walkthrough'))
  })

  it('runs on Bun (pnpm walkthrough:bun), @latchkey/client from the workspace, nothing installed', async () => {
    await expectWalkthroughOn(() => runPackageScript('walkthrough:bun', { BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0' }))
  })

  it('runs on Deno (pnpm walkthrough:deno), with net access to loopback and env access to four variables', async () => {
    await expectWalkthroughOn(() =>
      runPackageScript('walkthrough:deno', { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1' }),
    )
  })

  it('runs on workerd (pnpm walkthrough:workerd), bundled into one module, without nodejs_compat', async () => {
    await expectWalkthroughOn(() => runPackageScript('walkthrough:workerd'))
  })
})
