import { startExample } from '../../conformance/example-process.js'
import { runConformanceSuite } from '../../conformance/suite.js'

const example = startExample('hono')
runConformanceSuite(example.url, {
  adapter: 'hono',
  ...example,
})
