import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { benchDirectory } from '../ts-process.js'

/** The other build of Latchkey that A/B mode measures this checkout against. */
export interface BaselineBuild {
  /** The checkout, its real path. */
  readonly directory: string
  /** Its `HEAD`, abbreviated; `undefined` where git cannot tell. */
  readonly commit: string | undefined
}

/** How a baseline is prepared, for the messages that refuse one. */
export const baselineRecipe =
  'git worktree add /tmp/base <commit> && (cd /tmp/base && sh scripts/setup.sh && pnpm build)'

/**
 * The baseline checkout at `directory`, once it is found to be a Latchkey checkout with its dependencies
 * installed and every package built: this checkout's `scripts/missing-builds.mjs` (a baseline may predate
 * it) must find no promised `dist/` file missing there. Throws, saying how to prepare it, otherwise.
 */
export function openBaseline(directory: string): BaselineBuild {
  const given = resolve(directory)
  const refuse = (problem: string): never => {
    throw new Error(`--ab=${directory}: ${problem}. Prepare a baseline with: ${baselineRecipe}`)
  }
  if (!existsSync(given)) refuse('no such directory')
  const root = realpathSync(given)
  if (!existsSync(join(root, 'packages', 'verifier', 'package.json'))) refuse('not a Latchkey checkout')
  if (!existsSync(join(root, 'node_modules'))) refuse('its dependencies are not installed')
  const script = join(benchDirectory, '..', 'scripts', 'missing-builds.mjs')
  const check = spawnSync(process.execPath, [script, root], { encoding: 'utf8' })
  const missing = check.stdout.split('\n').filter(Boolean)
  if (check.status !== 0 && missing.length === 0) refuse(`the build check failed: ${check.stderr.trim()}`)
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` and ${missing.length - 1} more files` : ''
    refuse(`it is not built (${missing[0]}${more} missing; run \`pnpm build\` there)`)
  }
  return { directory: root, commit: commitOf(root) }
}

function commitOf(directory: string): string | undefined {
  try {
    return execFileSync('git', ['-C', directory, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return undefined
  }
}
