import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import type { ServerName } from '../scenario.js'
import { benchDirectory } from '../ts-process.js'

const sources = join(benchDirectory, 'src')

/**
 * Modules not followed: every server reads the fixture, whose own `@latchkey/*` imports create it in the
 * orchestrator and serve no request. Followed, they would make every server a Latchkey one.
 */
const notFollowed = new Set(['fixture.ts'])

/**
 * The specifiers `source` imports at run time: static imports and re-exports (not `import type`) and
 * `import('…')` with a literal.
 */
export function importedSpecifiers(source: string): string[] {
  const statics = source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'"=();]*?\sfrom\s*)?['"]([^'"]+)['"]/gm)
  const dynamics = source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)
  return [...statics, ...dynamics].map((match) => match[1] ?? '')
}

/**
 * The `@latchkey/*` specifiers that `servers/<server>.ts` imports, itself or through the bench's files
 * it imports (the fixture's excepted), sorted: none for a server that a baseline build would not change.
 */
export function latchkeyImportsOf(
  server: ServerName,
  read: (path: string) => string | undefined = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
): string[] {
  const found = new Set<string>()
  const seen = new Set<string>()
  const pending = [join(sources, 'servers', `${server}.ts`)]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file) || notFollowed.has(relative(sources, file))) continue
    seen.add(file)
    for (const specifier of importedSpecifiers(read(file) ?? '')) {
      if (specifier.startsWith('@latchkey/')) found.add(specifier)
      else if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'))
    }
  }
  return [...found].sort()
}
