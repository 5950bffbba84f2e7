import { startExample } from '../../conformance/example-process.js'
import { runConformanceSuite } from '../../conformance/suite.js'

// A real `next build` (about 20 s on two cores), then the custom server of src/server.ts.
const example = startExample('next', { build: [`${import.meta.dirname}/../node_modules/.bin/next`, 'build'] })
// Route handlers get a Fetch Request, whose Headers join repeated Authorization lines.
runConformanceSuite(example.url, { adapter: 'next', ...example })
