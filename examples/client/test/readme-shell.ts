import { type ChildProcess, execFile, spawn } from 'node:child_process'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
const cliBin = path.join(repoRoot, 'packages/cli/dist/bin.js')

/**
 * A `pnpm` that does what the real one does for the READMEs' two kinds of command, without
 * installing: `pnpm --silent latchkey …` runs the CLI in the directory it was typed in, and
 * `pnpm --filter <example> <script>` runs that example's script in its folder, with INIT_CWD naming
 * the directory it was typed in, and the example's and the workspace root's node_modules/.bin on the PATH.
 */
const fakePnpm = `
pnpm() {
  if [ "$1" = --silent ] && [ "$2" = latchkey ]; then shift 2; node "$LATCHKEY_CLI" "$@"; return; fi
  if [ "$1" = --filter ] && [ "$2" = "$EXAMPLE_NAME" ] && [ $# = 3 ]; then
    script=$(node -e 'process.stdout.write(require(process.argv[1]).scripts[process.argv[2]] ?? "")' "$EXAMPLE_DIR/package.json" "$3")
    if [ -z "$script" ]; then echo "ERR_PNPM_NO_SCRIPT Missing script: $3" >&2; return 1; fi
    (INIT_CWD=$PWD && export INIT_CWD && cd "$EXAMPLE_DIR" && PATH="$EXAMPLE_DIR/node_modules/.bin:$WORKSPACE_BIN:$PATH" exec sh -c "$script")
    return
  fi
  echo "the test's pnpm does not know: pnpm $*" >&2
  return 127
}
`

/** Where and how a README block runs. */
export interface ReadmeShellOptions {
  /** The directory standing in for the repository root: the block runs there, and it is `$HOME`. */
  readonly root: string
  /** The database `pnpm latchkey` manages (`LATCHKEY_DATABASE_URL`). */
  readonly databaseUrl: string
  /** The example whose scripts `pnpm --filter <name> <script>` runs, by package name and folder. */
  readonly example?: { readonly name: string; readonly dir: string }
  /** More variables for the block, such as `LATCHKEY_API_URL`. */
  readonly env?: Readonly<Record<string, string>>
}

/** What a block printed and how it ended. */
export interface ShellResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `sh` arguments and environment that run `block` as a reader pastes it, with {@link fakePnpm}. */
function shellOf(block: string, options: ReadmeShellOptions): { args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    // The reader's own key settings would decide which key the example uses.
    if (!/^(LATCHKEY|STORMPATH)_/.test(name) && name !== 'INIT_CWD') env[name] = value
  }
  Object.assign(env, {
    HOME: options.root,
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    LATCHKEY_DATABASE_URL: options.databaseUrl,
    LATCHKEY_CLI: cliBin,
    WORKSPACE_BIN: path.join(repoRoot, 'node_modules/.bin'),
    EXAMPLE_NAME: options.example?.name ?? '',
    EXAMPLE_DIR: options.example?.dir ?? '',
    ...options.env,
  })
  return { args: ['-c', `set -e\n${fakePnpm}\n${block}`], env }
}

/** Runs a README block to its end (at most 30 s) in `options.root`. */
export function runReadmeBlock(block: string, options: ReadmeShellOptions): Promise<ShellResult> {
  const { args, env } = shellOf(block, options)
  return new Promise((resolve, reject) => {
    execFile('sh', args, { cwd: options.root, env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error)
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr })
    })
  })
}

/**
 * Starts a README block that keeps running (a server), in its own process group so that
 * {@link stopReadmeBlock} stops everything it started.
 */
export function spawnReadmeBlock(block: string, options: ReadmeShellOptions): ChildProcess {
  const { args, env } = shellOf(block, options)
  return spawn('sh', args, { cwd: options.root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Stops a {@link spawnReadmeBlock} process group: SIGTERM, then SIGKILL after 5 s. */
export async function stopReadmeBlock(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const group = -child.pid
  process.kill(group, 'SIGTERM')
  const timer = setTimeout(() => process.kill(group, 'SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}
