import { startExample } from '../../conformance/example-process.js'
import { runConformanceSuite } from '../../conformance/suite.js'

const example = startExample('node-http')
runConformanceSuite(example.url, { adapter: 'node-http', ...example })
