import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nginxMainConfig } from './nginx-config.js'
import { type SpawnedProcess, spawnUntilReady } from './spawned-process.js'

// packages/server's test helper, as the nginx config is (nginx-config.ts).
export { freeLoopbackPort } from '../../../packages/server/test/loopback-port.js'

/** The nginx the forward-auth rows run, as found on this machine. */
export interface Nginx {
  readonly command: string
  /** Such as `nginx/1.22.1`. */
  readonly version: string
}

/** How to get an nginx that can run the forward-auth rows, for the note printed when there is none. */
export const nginxInstallHint = 'install nginx with auth_request (Debian/Ubuntu: apt-get install nginx-light)'

/**
 * nginx from `PATH`, or from /usr/sbin (not on a Debian user's `PATH`), if it was built with
 * `auth_request`; otherwise why not, in a sentence.
 */
export function findNginx(): Nginx | { readonly problem: string } {
  for (const command of ['nginx', '/usr/sbin/nginx']) {
    const built = spawnSync(command, ['-V'], { encoding: 'utf8' })
    if (built.error || built.status !== 0) continue
    // nginx prints its version and build options on stderr.
    const text = `${built.stderr}${built.stdout}`
    if (!text.includes('--with-http_auth_request_module')) {
      return { problem: `${command} was built without the auth_request module` }
    }
    return { command, version: /nginx version: (\S+)/.exec(text)?.[1] ?? 'nginx' }
  }
  return { problem: 'nginx is not installed' }
}

/** The notice naming a worker nginx forked, once it is ready ("start worker processes" comes before it). */
const workerLine = /start worker process (\d+)/

/** The workers nginx's notices in `output` name. */
export function workerPids(output: string): number[] {
  return [...output.matchAll(new RegExp(workerLine, 'g'))].map((match) => Number(match[1]))
}

/** A throwaway nginx listening on a loopback port. */
export interface NginxProcess {
  readonly port: number
  /** The master's and its workers'. */
  readonly pids: readonly number[]
  stop(): Promise<void>
}

/**
 * Starts nginx in the foreground with the `http {}` content `http`, listening on `port`, its config,
 * pid, lock and temp files in a temp dir of its own, which `stop()` removes. Nothing is read from or
 * written to /etc/nginx or /var/log.
 */
export async function startNginx(nginx: Nginx, port: number, http: string): Promise<NginxProcess> {
  const directory = mkdtempSync(join(tmpdir(), 'latchkey-bench-nginx-'))
  try {
    const conf = join(directory, 'nginx.conf')
    writeFileSync(conf, nginxMainConfig(directory, http, { root: process.getuid?.() === 0 }))
    const master: SpawnedProcess = await spawnUntilReady(
      nginx.command,
      ['-p', `${directory}/`, '-c', conf, '-e', 'stderr', '-g', 'daemon off;'],
      { env: { PATH: process.env.PATH }, ready: (line) => workerLine.test(line) },
    )
    const pid = master.child.pid as number
    const workers = workerPids(master.output())
    return {
      port,
      pids: [pid, ...workers],
      async stop() {
        await master.stop(workers)
        rmSync(directory, { recursive: true, force: true })
      },
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true })
    throw error
  }
}
