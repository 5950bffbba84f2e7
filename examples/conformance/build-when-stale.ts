import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

/** What {@link buildWhenStale} builds, and what it is built from. */
export interface StaleBuild {
  /** The directory the command runs in. */
  readonly dir: string
  /** The build command: file and arguments. */
  readonly command: readonly string[]
  /** A file every successful build rewrites (Next: `dist/BUILD_ID`); its age is the build's. */
  readonly output: string
  /** Files and directories the build reads (directories are walked): a newer one makes it stale. */
  readonly sources: readonly string[]
  readonly env: NodeJS.ProcessEnv
  /** Milliseconds. */
  readonly timeout: number
}

/**
 * Runs a build unless its output is newer than every source, under a lock directory, so that test
 * files running at the same time (the Next example's conformance test and the example-servers test)
 * never build into one folder together: the second waits for the first, then finds the build current.
 */
export async function buildWhenStale(build: StaleBuild): Promise<void> {
  if (!isStale(build)) return
  const lock = path.join(build.dir, '.build-lock')
  const deadline = Date.now() + build.timeout
  for (;;) {
    try {
      fs.mkdirSync(lock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      // A lock older than the timeout was left by a build that was killed.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > build.timeout) fs.rmSync(lock, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`${lock} was held for longer than ${build.timeout} ms.`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  try {
    if (isStale(build)) await run(build)
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}

function isStale({ output, sources }: StaleBuild): boolean {
  const built = fs.statSync(output, { throwIfNoEntry: false })?.mtimeMs ?? 0
  return sources.some((source) => newestIn(source) >= built)
}

function newestIn(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false })
  if (!stat) return Number.POSITIVE_INFINITY
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const file of fs.readdirSync(entry, { recursive: true, encoding: 'utf8' })) {
    newest = Math.max(newest, fs.statSync(path.join(entry, file)).mtimeMs)
  }
  return newest
}

function run({ dir, command, env, timeout }: StaleBuild): Promise<void> {
  const [file = '', ...args] = command
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: dir, env, timeout }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command.join(' ')} failed:\n${stdout}${stderr}`)) : resolve(),
    )
  })
}

/** The Next example's build: its routes, lib/ and config, and the built packages it bundles. */
export function nextBuild(repoRoot: string): Omit<StaleBuild, 'env'> {
  const dir = path.join(repoRoot, 'examples/next')
  return {
    dir,
    command: [path.join(dir, 'node_modules/.bin/next'), 'build'],
    output: path.join(dir, 'dist/BUILD_ID'),
    sources: [
      path.join(dir, 'app'),
      path.join(dir, 'lib'),
      path.join(dir, 'next.config.mjs'),
      path.join(repoRoot, 'packages/verifier/dist'),
      path.join(repoRoot, 'packages/cli/dist'),
      path.join(repoRoot, 'packages/store-sqlite/dist'),
    ],
    timeout: 170_000,
  }
}
