// `check:package` of each published package, run from its folder. It checks the tarball `pnpm publish`
// uploads, not the folder: `pnpm pack` rewrites workspace:^ ranges and adds the workspace root's LICENSE
// (https://pnpm.io/cli/publish), which `npm pack` would not.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const run = (name, args) =>
  spawnSync(resolve(import.meta.dirname, '../node_modules/.bin', name), args, { stdio: 'inherit' })
const out = mkdtempSync(join(tmpdir(), 'latchkey-pack-'))
try {
  const packed = JSON.parse(execFileSync('pnpm', ['pack', '--json', '--pack-destination', out], { encoding: 'utf8' }))
  if (!packed.files.some((file) => file.path === 'LICENSE')) {
    console.error(`${packed.name}: the tarball has no LICENSE. Keep LICENSE at the repository root, or add one here.`)
    process.exitCode = 1
  }
  // attw's default profile checks node10 (moduleResolution "node") too, which typesVersions serves.
  for (const [name, args] of [
    ['publint', ['run', '--strict', packed.filename]],
    ['attw', [packed.filename]],
  ]) {
    if (run(name, args).status !== 0) process.exitCode = 1
  }
} finally {
  rmSync(out, { recursive: true, force: true })
}
