import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type OwnedProcess, startOwnedProcess } from './child-process.js'
import { LATCHKEY_BIN } from './cli-key-store.js'

/** Options of {@link startLatchkeyServe}. */
export interface LatchkeyServeOptions {
  /** Where the routes file is written; the command runs there. */
  readonly directory: string
  /** `--database`. */
  readonly databaseUrl: string
  /** `LATCHKEY_ISSUER`: the public URL clients reach the token endpoint at, through the proxy. */
  readonly issuer: string
  /** The routes file's content, `{"routes": […]}`. */
  readonly routes: unknown
}

/**
 * Runs `latchkey serve --port 0 --config routes.json` as a child process, with its default trusted
 * proxies (loopback), and resolves once it printed its `listening` line: with the URL from that line.
 */
export async function startLatchkeyServe(
  options: LatchkeyServeOptions,
): Promise<{ url: string; process: OwnedProcess }> {
  const routesFile = join(options.directory, 'routes.json')
  writeFileSync(routesFile, JSON.stringify(options.routes, null, 2))
  const gateway = await startOwnedProcess({
    command: process.execPath,
    args: [LATCHKEY_BIN, 'serve', '--port', '0', '--config', routesFile, '--database', options.databaseUrl],
    cwd: options.directory,
    env: { PATH: process.env.PATH, LATCHKEY_ISSUER: options.issuer },
    ready: (line) => {
      const printed = jsonLine(line)
      return printed?.message === 'listening' && typeof printed.url === 'string' ? printed.url : undefined
    },
  })
  return { url: gateway.ready, process: gateway.process }
}

function jsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line)
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
