// The built files each workspace package promises (main, module, types, bin, exports) that are not there.
// `pnpm install` builds (the root `prepare`) only when the install changed something, so setup.sh asks
// this whether a dist/ went missing since; `pnpm latchkey` asks it before loading the CLI.
//
//   node scripts/missing-builds.mjs [ROOT]   prints one missing file a line; exits 1 if any, else 0
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Every string leaf of an `exports` map (conditions and subpaths alike). */
function leaves(value) {
  if (typeof value === 'string') return [value]
  if (value === null || typeof value !== 'object') return []
  return Object.values(value).flatMap(leaves)
}

/** The files `manifest` promises, relative to its folder; `./package.json` and patterns are not built. */
function promisedFiles(manifest) {
  const bin = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {})
  const files = [manifest.main, manifest.module, manifest.types, ...bin, ...leaves(manifest.exports)]
  return files.filter((file) => typeof file === 'string' && file !== './package.json' && !file.includes('*'))
}

/**
 * The promised built files missing under `root`/packages, as paths relative to `root`, sorted.
 * `types: false` leaves out the type declarations, which nothing needs to run.
 */
export function missingBuilds(root, { types = true } = {}) {
  const packages = join(root, 'packages')
  const missing = new Set()
  for (const name of existsSync(packages) ? readdirSync(packages) : []) {
    const manifestPath = join(packages, name, 'package.json')
    if (!existsSync(manifestPath)) continue
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    // A package without a build (store-conformance) exports its source.
    if (typeof manifest.scripts?.build !== 'string') continue
    for (const file of promisedFiles(manifest)) {
      if (!types && /\.d\.[cm]?ts$/.test(file)) continue
      const absolute = resolve(packages, name, file)
      if (!existsSync(absolute)) missing.add(relative(root, absolute))
    }
  }
  return [...missing].sort()
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const missing = missingBuilds(resolve(process.argv[2] ?? join(import.meta.dirname, '..')))
  for (const file of missing) console.log(file)
  process.exitCode = missing.length > 0 ? 1 : 0
}
