/**
 * `pnpm demo`: the walk-through in one command. Starts the example API on a temporary SQLite
 * database, creates an account and an API key with the real CLI, writes apiKey.properties, then runs
 * examples/client, which calls /api/test with Basic and with client credentials through
 * @latchkey/client. Stops the server and exits 0, or non-zero on any failure.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const cliBin = path.join(root, 'packages/cli/dist/bin.js')
const expressRoot = path.join(root, 'examples/express')
const clientRoot = path.join(root, 'examples/client')
const tsx = (dir: string): string => path.join(dir, 'node_modules/.bin/tsx')

function step(text: string): void {
  console.log(`\n▸ ${text}`)
}

function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${stderr || error.message}`))
        else resolve(stdout)
      },
    )
  })
}

function startServer(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(tsx(expressRoot), [path.join(expressRoot, 'src/server.ts')], {
    cwd: expressRoot,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LATCHKEY_DATABASE_URL: databaseUrl,
      LATCHKEY_ISSUER: 'http://127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`The example API did not start within 30 s:\n${output}`)), 30_000)
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const match = /Latchkey example API on (http:\/\/[\d.]+:\d+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve({ url: match[1], child })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`The example API exited with ${code} before listening:\n${output}`))
    })
  })
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

async function main(): Promise<void> {
  if (!fs.existsSync(cliBin)) throw new Error('The CLI is not built: run pnpm build first.')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-demo-'))
  const databaseUrl = `sqlite:${path.join(dir, 'latchkey.db')}`
  let server: ChildProcess | undefined
  try {
    step(`Starting the example API on a temporary database (${databaseUrl})`)
    const started = await startServer(databaseUrl)
    server = started.child
    console.log(`  listening on ${started.url}`)

    step('latchkey accounts create --name "Demo"')
    const accountId = (
      await run(process.execPath, [cliBin, '--database', databaseUrl, 'accounts', 'create', '--name', 'Demo'], {
        cwd: dir,
      })
    ).trim()
    console.log(`  account ${accountId}`)

    const keyFile = path.join(dir, 'apiKey.properties')
    step(`latchkey keys create --account ${accountId} --scope "read write" --out apiKey.properties`)
    const keyId = (
      await run(
        process.execPath,
        [
          cliBin,
          '--database',
          databaseUrl,
          'keys',
          'create',
          '--account',
          accountId,
          '--scope',
          'read write',
          '--out',
          keyFile,
        ],
        { cwd: dir },
      )
    ).trim()
    console.log(`  key ${keyId}, written to ${keyFile} (the secret is in the file, not shown here)`)

    step('examples/client: /api/test with HTTP Basic, then with client credentials, through @latchkey/client')
    const output = await run(tsx(clientRoot), [path.join(clientRoot, 'src/main.ts')], {
      cwd: dir,
      env: {
        LATCHKEY_API_URL: started.url,
        LATCHKEY_API_KEY_FILE: '',
        LATCHKEY_API_KEY_ID: '',
        LATCHKEY_API_KEY_SECRET: '',
      },
    })
    for (const line of output.trimEnd().split('\n')) console.log(`  ${line}`)

    step('Stopping the example API')
  } finally {
    if (server) await stop(server)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  console.log('\nDone: Basic and client credentials both worked.')
}

main().catch((error: unknown) => {
  console.error(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
