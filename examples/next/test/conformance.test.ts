import { nextBuild } from '../../conformance/build-when-stale.js'
import { repoRoot, startExample } from '../../conformance/example-process.js'
import { runConformanceSuite } from '../../conformance/suite.js'

// A real `next build` (20 to 50 s on two cores) when the example or a package it bundles changed, then
// the custom server of src/server.ts.
const example = startExample('next', { build: nextBuild(repoRoot) })
// Route handlers get a Fetch Request, whose Headers join repeated Authorization lines.
runConformanceSuite(example.url, { adapter: 'next', ...example })
