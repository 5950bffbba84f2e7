import { startExample } from '../../conformance/example-process.js'
import { runConformanceSuite } from '../../conformance/suite.js'

const example = startExample('koa')
runConformanceSuite(example.url, { adapter: 'koa', ...example })
