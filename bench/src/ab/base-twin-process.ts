import type { BaseTwinServer } from '../scenario.js'
import { type ServerProcess, startServer } from '../server-process.js'
import { twinnedServer } from './base-twin-scenarios.js'
import type { BaselineBuild } from './baseline-build.js'
import { baselineEnv } from './baseline-resolve.js'

const hook = new URL('./register-baseline-resolve.ts', import.meta.url).href

/**
 * Starts a server's twin: this checkout's `servers/<name>.ts`, so the harness is the one the new build
 * runs in, with its `@latchkey/*` imports resolved to `baseline`'s build by the resolve hook.
 */
export function startBaseTwin(
  twin: BaseTwinServer,
  fixturePath: string,
  baseline: BaselineBuild | undefined,
  cpu?: number,
): Promise<ServerProcess> {
  if (!baseline) throw new Error(`${twin} is a twin for A/B mode: give the baseline checkout with --ab=<dir>.`)
  return startServer(twinnedServer(twin), fixturePath, ['--import', hook], cpu, {
    [baselineEnv]: baseline.directory,
  })
}
