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

// The start script, run by Bun itself: node_modules/.bin/bun execs the binary, so SIGTERM reaches the server.
const command = startScript('bun', path.join(repoRoot, 'node_modules/.bin/bun'))
const example = startExample('bun', { command, database: 'postgres' })
runConformanceSuite(example.url, { adapter: 'bun', ...example })

describe('The example on Bun, stopped', () => {
  it('closes and exits 0 on SIGTERM', async () => {
    const env = { PORT: '0', HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: example.databaseUrl(), LATCHKEY_ISSUER: ISSUER }
    const server = spawnExample('bun', { command, env })
    await server.listening
    // SIGKILL after 5 s, and an exit code of null, when the server, the verifier or the store hangs.
    expect(await server.stop()).toBe(0)
  })
})

describe('The example on Bun, started with a setting to fix', () => {
  it('exits 1 with one line asking for a Postgres URL when LATCHKEY_DATABASE_URL is unset or sqlite:', async () => {
    for (const url of [undefined, 'sqlite:./latchkey.db']) {
      const run = await runExample('bun', { command, env: { PORT: '0', LATCHKEY_DATABASE_URL: url } })
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'latchkey: the SQLite store needs Node.js (better-sqlite3 does not load on Bun); set LATCHKEY_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE to use a Postgres store.\n',
      })
    }
  })

  it('exits 1 with one line naming a malformed setting', async () => {
    const run = await runExample('bun', { command, env: { PORT: 'abc', LATCHKEY_DATABASE_URL: example.databaseUrl() } })
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'latchkey: PORT must be a port number (0 picks a free port), a whole number from 0 to 65535.\n',
    })
  })

  it('exits 1 with one line naming the port and PORT when the port is taken', async () => {
    const { port } = new URL(example.url())
    const env = { PORT: port, HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: example.databaseUrl() }
    expect(await runExample('bun', { command, env })).toEqual({
      code: 1,
      stdout: '',
      stderr: `latchkey: port ${port} on 127.0.0.1 is in use; set PORT to another port (or stop what listens there).\n`,
    })
  })
})
