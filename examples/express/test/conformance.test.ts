import { startExample } from '../../conformance/example-process.js'
import { runConformanceSuite } from '../../conformance/suite.js'

const example = startExample('express')
runConformanceSuite(example.url, { adapter: 'express', ...example })
