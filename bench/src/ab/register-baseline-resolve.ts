// `node --import tsx --import <this file>`: this process's `@latchkey/*` imports resolve to the baseline
// checkout named by BENCH_AB_BASELINE (A/B mode's twin servers; see baseline-resolve.ts). After tsx, so
// this file loads through tsx and its hook runs before tsx's, which then resolves the redirected import.
import { register } from 'node:module'
import { type BaselineResolveData, baselineEnv } from './baseline-resolve.js'

const baseline = process.env[baselineEnv]
if (!baseline) {
  throw new Error(`Set ${baselineEnv} to the built baseline checkout whose @latchkey/* packages this process loads.`)
}
register('./baseline-resolve.ts', import.meta.url, { data: { baseline } satisfies BaselineResolveData })
