import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { type SpawnedProcess, spawnUntilReady } from './spawned-process.js'

/** `latchkey serve`, running. */
export interface GatewayProcess {
  /** As `host:port`, for nginx's upstream. */
  readonly address: string
  readonly pid: number
  stop(): Promise<void>
}

/**
 * Runs the built `latchkey serve` (packages/cli/dist, what operators run) on a free loopback port over
 * the SQLite store at `databasePath`, with its defaults: no routes file (every request needs valid
 * credentials and no scope), loopback as trusted proxies, the default failure throttle (valid requests
 * never reach it). `issuer` is `LATCHKEY_ISSUER`: the URL clients reach nginx at, as docs/gateway.md
 * sets it, and so the audience of the tokens it issues and accepts.
 */
export async function startGateway({
  databasePath,
  issuer,
}: {
  databasePath: string
  issuer: string
}): Promise<GatewayProcess> {
  let url: string | undefined
  const gateway: SpawnedProcess = await spawnUntilReady(
    process.execPath,
    // BENCH_GATEWAY_NODE_ARGS profiles it: `--cpu-prof --cpu-prof-dir=DIR`, written when it stops.
    [
      ...(process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      latchkeyBin(),
      'serve',
      '--port',
      '0',
      '--database',
      `sqlite:${databasePath}`,
    ],
    {
      // Nothing of the developer's shell (LATCHKEY_*) leaks in.
      env: { PATH: process.env.PATH, NODE_ENV: 'production', LATCHKEY_ISSUER: issuer },
      ready: (line) => {
        url = listeningUrl(line)
        return url !== undefined
      },
    },
  )
  return {
    address: new URL(url as string).host,
    pid: gateway.child.pid as number,
    stop: () => gateway.stop(),
  }
}

/** A token from the gateway's own token endpoint, reached at `issuer` (through nginx), for `keyId`'s key. */
export async function issueGatewayToken(issuer: string, keyId: string, secret: string): Promise<string> {
  const response = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${keyId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  })
  const body = (await response.json()) as { access_token?: string }
  if (!body.access_token) throw new Error(`The gateway's token endpoint answered ${response.status}.`)
  return body.access_token
}

/** The `latchkey` command of the workspace's @latchkey/cli, built by `pnpm build`. */
function latchkeyBin(): string {
  const manifest = createRequire(import.meta.url).resolve('@latchkey/cli/package.json')
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { latchkey: string } }
  return join(dirname(manifest), bin.latchkey)
}

/** The URL of `latchkey serve`'s JSON `listening` line, if `line` is that line. */
function listeningUrl(line: string): string | undefined {
  try {
    const printed = JSON.parse(line) as { message?: unknown; url?: unknown }
    return printed.message === 'listening' && typeof printed.url === 'string' ? printed.url : undefined
  } catch {
    return undefined
  }
}
