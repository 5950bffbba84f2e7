import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cli, makeTempDir, removeTempDir, type ServerProcess, spawnServer } from './harness.js'

let dir: string | undefined
let server: ServerProcess | undefined

afterEach(async () => {
  await server?.stop()
  server = undefined
  if (dir) removeTempDir(dir)
  dir = undefined
})

// The database holds the private signing keys: anyone who can read it can mint tokens.
describe.skipIf(process.platform === 'win32')('The real server on a database open to group or others', () => {
  it('says so in one line on stderr, with the chmod that fixes it, and serves anyway', async () => {
    dir = makeTempDir()
    const filename = path.join(dir, 'latchkey.db')
    const databaseUrl = `sqlite:${filename}`
    await cli(['accounts', 'create', '--name', 'Acme'], databaseUrl)
    fs.chmodSync(filename, 0o644)

    server = await spawnServer(databaseUrl, 'http://localhost:3000')
    // The warning is written before the server listens; a moment lets the pipe deliver it.
    for (let waited = 0; !server.output().stderr.includes('\n') && waited < 2000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const { stdout, stderr } = server.output()
    const warnings = stderr.split('\n').filter((line) => line.includes(filename))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^latchkey: warning: .*\(mode 644\).*chmod 600 /)
    expect(warnings[0]).toContain(`chmod 600 ${filename}`)
    expect(stdout).not.toContain('warning')
    expect((await fetch(`${server.url}/api/test`)).status).toBe(401)
  })
})
