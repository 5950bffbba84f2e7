import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ISSUER,
  repoRoot,
  runExample,
  spawnExample,
  startExample,
  startScript,
} from '../../conformance/example-process.js'
import { runConformanceSuite } from '../../conformance/suite.js'

/**
 * The Deno binary itself: node_modules/.bin/deno runs it under Node with spawnSync, which would not
 * pass SIGTERM on. Its first run puts the binary there, when pnpm did not run the package's install
 * script (pnpm-workspace.yaml does not allow it).
 */
function denoBinary(): string {
  const binary = path.join(repoRoot, 'node_modules/deno/deno')
  if (!fs.existsSync(binary)) execFileSync(path.join(repoRoot, 'node_modules/.bin/deno'), ['--version'])
  return binary
}

// The start script with its permission flags, run by Deno itself.
const command = startScript('deno', denoBinary())
const example = startExample('deno', { command, database: 'postgres' })
runConformanceSuite(example.url, { adapter: 'deno', ...example })

describe('The example on Deno, stopped', () => {
  it('closes and exits 0 on SIGTERM', async () => {
    const env = { PORT: '0', HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: example.databaseUrl(), LATCHKEY_ISSUER: ISSUER }
    const server = spawnExample('deno', { command, env })
    await server.listening
    // SIGKILL after 5 s, and an exit code of null, when the server, the verifier or the store hangs.
    expect(await server.stop()).toBe(0)
  })
})

describe('The example on Deno, started with a setting to fix', () => {
  it('exits 1 with one line asking for a Postgres URL when LATCHKEY_DATABASE_URL is unset or sqlite:', async () => {
    for (const url of [undefined, 'sqlite:./latchkey.db']) {
      const run = await runExample('deno', { command, env: { PORT: '0', LATCHKEY_DATABASE_URL: url } })
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'latchkey: the SQLite store needs Node.js (better-sqlite3 does not load on Deno); set LATCHKEY_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE to use a Postgres store.\n',
      })
    }
  })

  it('exits 1 with one line naming a malformed setting', async () => {
    const run = await runExample('deno', {
      command,
      env: { PORT: 'abc', LATCHKEY_DATABASE_URL: example.databaseUrl() },
    })
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'latchkey: PORT must be a port number (0 picks a free port), a whole number from 0 to 65535.\n',
    })
  })

  it('exits 1 with one line naming the port and PORT when the port is taken', async () => {
    const { port } = new URL(example.url())
    const env = { PORT: port, HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: example.databaseUrl() }
    expect(await runExample('deno', { command, env })).toEqual({
      code: 1,
      stdout: '',
      stderr: `latchkey: port ${port} on 127.0.0.1 is in use; set PORT to another port (or stop what listens there).\n`,
    })
  })

  it('writes no deno.lock into the repository', () => {
    expect(fs.existsSync(path.join(repoRoot, 'examples/deno/deno.lock'))).toBe(false)
  })
})
