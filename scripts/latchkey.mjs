// `pnpm latchkey …`: the built CLI (packages/cli/dist/bin.js), or, when a package is not built, one
// line saying how to build it instead of Node's "Cannot find module" stack trace.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { missingBuilds } from './missing-builds.mjs'

const root = join(import.meta.dirname, '..')
// Declarations are not needed to run, and a build in progress writes them last.
const missing = missingBuilds(root, { types: false })
if (missing.length > 0) {
  const more = missing.length > 1 ? ` and ${missing.length - 1} more built files are` : ' is'
  console.error(`latchkey is not built (${missing[0]}${more} missing): run sh scripts/setup.sh, or pnpm build.`)
  process.exitCode = 1
} else {
  // The CLI reads its arguments from process.argv.slice(2), which are this script's.
  await import(pathToFileURL(join(root, 'packages/cli/dist/bin.js')).href)
}
