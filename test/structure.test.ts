import { beforeAll, describe, expect, it } from 'vitest'
import {
  type Breach,
  describeBreach,
  findImportBreaches,
  findLengthBreaches,
  fixFor,
  MAX_LINES_RULE,
} from './structure.js'

// The house rules of STYLE.md (3 and 19) on packages/*/src, tests aside. The import rules live in
// .dependency-cruiser.cjs, so `pnpm exec depcruise packages --config .dependency-cruiser.cjs` reports the
// same breaches; each failure names the rule and the files, and its message says how to mend them.
describe('the source of every package', () => {
  let importBreaches: Breach[] = []

  beforeAll(async () => {
    importBreaches = await findImportBreaches()
  })

  const CHECKED_HERE = [
    'no-circular',
    'import-resolves-to-source',
    'verifier-core-imports-no-node',
    'verifier-core-imports-no-framework',
    'verifier-core-imports-no-adapter',
  ]

  async function expectUnbroken(rules: readonly string[], breaches: readonly Breach[]): Promise<void> {
    const found = breaches.filter((breach) => rules.includes(breach.rule))
    const fixes = await Promise.all(rules.map(fixFor))
    expect(found.map(describeBreach), fixes.join('\n')).toEqual([])
  }

  it('has no import cycle in packages/', async () => {
    await expectUnbroken(['no-circular'], importBreaches)
  })

  it('resolves every relative and @latchkey/* import to a source file, so the cycle check sees it', async () => {
    await expectUnbroken(['import-resolves-to-source'], importBreaches)
  })

  it('keeps every source file within 300 lines', async () => {
    await expectUnbroken([MAX_LINES_RULE], findLengthBreaches())
  })

  it('imports no node: module and no framework in the verifier core, only in src/adapters/ and src/node/', async () => {
    await expectUnbroken(['verifier-core-imports-no-node', 'verifier-core-imports-no-framework'], importBreaches)
  })

  it('never imports src/adapters/ from the rest of the verifier', async () => {
    await expectUnbroken(['verifier-core-imports-no-adapter'], importBreaches)
  })

  it('breaks no other rule of .dependency-cruiser.cjs', async () => {
    const others = [...new Set(importBreaches.map(({ rule }) => rule))].filter((rule) => !CHECKED_HERE.includes(rule))
    await expectUnbroken(others, importBreaches)
  })
})
