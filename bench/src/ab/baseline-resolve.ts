// The module resolve hook of A/B mode's twin servers, registered by register-baseline-resolve.ts in the
// hooks thread: `@latchkey/*` comes from the baseline checkout's build, everything else resolves as usual.
import { existsSync, realpathSync } from 'node:fs'
import type { InitializeHook, ResolveHook } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The environment variable that names the baseline checkout to a twin server's process. */
export const baselineEnv = 'BENCH_AB_BASELINE'

/** What `register()` hands {@link initialize}. */
export interface BaselineResolveData {
  /** The baseline checkout, built: the directory `--ab` names. */
  readonly baseline: string
}

const scope = '@latchkey/'

/**
 * Where an `@latchkey/*` specifier is resolved from: a file in the baseline's `bench/`, so that its
 * workspace link `bench/node_modules/@latchkey/<name>` answers (the baseline's package, hence its `dist/`
 * and its own dependencies); where the baseline's bench has no link for the package, the package's own
 * folder `packages/<name>/`, from which Node resolves a package by its own name through its `exports`
 * (self-reference).
 */
export function baselineParentOf(specifier: string, baseline: string): string {
  const name = specifier.slice(scope.length).split('/')[0] ?? ''
  const linked = existsSync(join(baseline, 'bench', 'node_modules', '@latchkey', name))
  const parent = linked ? join(baseline, 'bench', 'package.json') : join(baseline, 'packages', name, 'package.json')
  return pathToFileURL(parent).href
}

/** The baseline's real path, and its file URL with a trailing slash; set once by {@link initialize}. */
let baseline = ''
let baselineUrl = ''

/** Takes the baseline checkout from `register()`'s data, symbolic links resolved as Node resolves them. */
export const initialize: InitializeHook<BaselineResolveData> = (data) => {
  baseline = realpathSync(data.baseline)
  baselineUrl = pathToFileURL(join(baseline, '/')).href
}

/**
 * Resolves `@latchkey/*` from {@link baselineParentOf}, and refuses an answer outside the baseline, so
 * that a twin never measures this checkout's build by mistake. Imports made by the baseline's own files
 * resolve as they would there.
 */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (!specifier.startsWith(scope) || context.parentURL?.startsWith(baselineUrl)) {
    return nextResolve(specifier, context)
  }
  const resolved = await nextResolve(specifier, { ...context, parentURL: baselineParentOf(specifier, baseline) })
  if (!resolved.url.startsWith(baselineUrl)) {
    throw new Error(
      `${specifier} resolved to ${resolved.url}, outside the baseline checkout ${baseline}: its ` +
        `bench/node_modules/@latchkey links lead elsewhere. Run \`sh scripts/setup.sh\` in ${baseline}.`,
    )
  }
  return resolved
}
