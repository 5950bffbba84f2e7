import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'

/** This repository. Any folder laid out like it (`packages/<name>/src/…`) can be checked instead. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url))

const CONFIG_FILE = join(REPOSITORY_ROOT, '.dependency-cruiser.cjs')

/** STYLE 19: no file past about 300 lines. */
export const MAX_LINES = 300
export const MAX_LINES_RULE = 'max-300-lines'
const MAX_LINES_FIX =
  'STYLE 19: no source file past 300 lines. Split it by concept (STYLE 1-2): let the create… factory wire ' +
  'modules together and move the logic into module-level functions in their own files (STYLE 18).'

/** One broken house rule: which rule, the files that break it (a loop as its path), and why. */
export interface Breach {
  readonly rule: string
  readonly files: readonly string[]
  readonly detail?: string
}

/** `rule: a.ts → b.ts → a.ts`, the line a failing test prints for each breach. */
export function describeBreach({ rule, files, detail }: Breach): string {
  return `${rule}: ${files.join(' → ')}${detail === undefined ? '' : ` (${detail})`}`
}

/** How to mend a breach of `rule`: the comment of the rule in .dependency-cruiser.cjs, or the line rule's. */
export async function fixFor(rule: string): Promise<string> {
  if (rule === MAX_LINES_RULE) return MAX_LINES_FIX
  const { ruleSet } = await extractDepcruiseOptions(CONFIG_FILE)
  return ruleSet?.forbidden?.find((candidate) => candidate.name === rule)?.comment ?? rule
}

/** Every breach of the rules in .dependency-cruiser.cjs among the package sources under `root`. */
export async function findImportBreaches(root = REPOSITORY_ROOT): Promise<Breach[]> {
  const options = await extractDepcruiseOptions(CONFIG_FILE)
  const tsConfig = options.tsConfig?.fileName ?? join(REPOSITORY_ROOT, 'test/tsconfig.json')
  // Another root resolves @latchkey/* through its own copy of test/tsconfig.json when it has one, so its
  // packages import each other rather than this repository's.
  const ownTsConfig = join(root, relative(REPOSITORY_ROOT, tsConfig))
  const fileName = existsSync(ownTsConfig) ? ownTsConfig : tsConfig
  const { output } = await cruise(
    ['packages'],
    { ...options, baseDir: root, tsConfig: { fileName } },
    {},
    { tsConfig: extractTSConfig(fileName) },
  )
  const violations = (output as ICruiseResult).summary.violations
  return unique(violations.map(toBreach))
}

/** Every package source file under `root` longer than {@link MAX_LINES}, longest first. */
export function findLengthBreaches(root = REPOSITORY_ROOT): Breach[] {
  return sourceFiles(root)
    .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').trimEnd().split('\n').length }))
    .filter(({ lines }) => lines > MAX_LINES)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file))
    .map(({ file, lines }) => ({ rule: MAX_LINES_RULE, files: [file], detail: `${lines} lines` }))
}

/** Every `.ts` file in packages/<name>/src/ under `root`, tests aside, as a path relative to `root`. */
export function sourceFiles(root = REPOSITORY_ROOT): string[] {
  const packages = readdirSync(join(root, 'packages'), { withFileTypes: true }).filter((entry) => entry.isDirectory())
  return packages.flatMap(({ name }) => {
    const source = `packages/${name}/src`
    const files = readdirSync(join(root, source), { recursive: true, encoding: 'utf8' })
    return files
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => `${source}/${file.replaceAll('\\', '/')}`)
      .sort()
  })
}

function toBreach(violation: IViolation): Breach {
  if (violation.cycle !== undefined) {
    // dependency-cruiser reports a loop once from each file in it; start each at its first file by name so
    // the copies coincide and `unique` keeps one.
    const loop = [violation.from, ...violation.cycle.map(({ name }) => name)].slice(0, -1)
    const start = loop.indexOf([...loop].sort()[0] ?? violation.from)
    const rotated = [...loop.slice(start), ...loop.slice(0, start)]
    return { rule: violation.rule.name, files: [...rotated, rotated[0] ?? violation.from] }
  }
  const written = violation.unresolvedTo ?? violation.to
  const to = written === violation.to ? violation.to : `${violation.to} (imported as '${written}')`
  return { rule: violation.rule.name, files: [violation.from, to] }
}

function unique(breaches: Breach[]): Breach[] {
  const seen = new Map(breaches.map((breach) => [describeBreach(breach), breach]))
  return [...seen.keys()].sort().map((key) => seen.get(key) as Breach)
}
