import { startExample } from '../../conformance/example-process.js'
import { runConformanceSuite } from '../../conformance/suite.js'

const example = startExample('fastify')
runConformanceSuite(example.url, { adapter: 'fastify', ...example })
