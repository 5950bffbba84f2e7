// The API reference in docs/api/ (`pnpm docs:api`): TypeDoc over the sources of every `exports` subpath of
// every published package, one page set per entry point, named as users import it (`@latchkey/verifier/express`).
// Options live in typedoc.json; the entry points come from the package.json files, so a new subpath export
// is documented without touching this script. test/api-reference.test.ts checks that docs/api/ is current.
//
//   node scripts/api-reference.mjs [OUT]   writes the reference to OUT (default docs/api); exits 1 on an error,
//                                          or on a warning that KNOWN_WARNINGS does not list
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Application, LogLevel, TypeDocReader } from 'typedoc'
import ts from 'typescript'

const root = resolve(import.meta.dirname, '..')

// Doc-comment problems in the package sources, left as they are until the comments are mended (none today); each
// is logged as information instead of a warning. Any other warning fails the run (typedoc.json: treatWarningsAsErrors).
const KNOWN_WARNINGS = []

/** The file a subpath's `import` condition (or its only target) points at. */
function importTarget(target) {
  if (typeof target === 'string') return target
  const condition = target.import ?? target.default
  return typeof condition === 'string' ? condition : condition.default
}

/** `{ name, file, packageDir }` for every `exports` subpath of every published package, `./package.json` aside. */
export function publicEntryPoints() {
  const entries = []
  for (const folder of readdirSync(join(root, 'packages')).sort()) {
    const packageDir = join(root, 'packages', folder)
    if (!existsSync(join(packageDir, 'package.json'))) continue
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
    if (manifest.private) continue
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (subpath === './package.json') continue
      // tsup builds dist/X.js from src/X.ts (each package's tsup.config.ts), so the source sits at the same path.
      const built = importTarget(target)
      const file = join(packageDir, built.replace(/^\.\/dist\//, 'src/').replace(/\.[cm]?js$/, '.ts'))
      if (!existsSync(file)) {
        throw new Error(`${manifest.name}: no source for "${subpath}" (${built}) at ${relative(root, file)}.`)
      }
      entries.push({ name: manifest.name + subpath.slice(1), file, packageDir })
    }
  }
  return entries
}

/** Ambient declarations (`declare module …`) the sources rely on without importing them. */
const ambientDeclarations = (packageDir) =>
  readdirSync(join(packageDir, 'src'), { recursive: true })
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => join(packageDir, 'src', file))

const formatHost = {
  getCanonicalFileName: (file) => file,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
}

/** Writes the reference to `out`; `ok` is false after an error or a warning KNOWN_WARNINGS does not list. */
export async function generateApiReference(out = join(root, 'docs/api')) {
  const entries = publicEntryPoints()
  const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'))
  const app = await Application.bootstrapWithPlugins({ options: join(root, 'typedoc.json'), compilerOptions, out }, [
    new TypeDocReader(),
  ])
  if (app.logger.hasErrors()) return { ok: false } // a mistake in typedoc.json, already reported
  const log = app.logger.log.bind(app.logger)
  const seen = new Set()
  app.logger.log = (message, level) => {
    const known = level === LogLevel.Warn && KNOWN_WARNINGS.find((warning) => message.includes(warning))
    if (!known) return log(message, level)
    seen.add(known)
    log(`${message.replace('[warning]', '[known warning]')} (listed in KNOWN_WARNINGS)`, LogLevel.Info)
  }
  app.renderer.markdownHooks.on('content.begin', ({ page }) =>
    page.model.isProject()
      ? 'Generated from the TSDoc comments in `packages/*/src` by `pnpm docs:api`: edit the comments, not these pages.'
      : '',
  )

  // One program for every package, built here rather than by TypeDoc, so that each entry point is named as it is
  // imported (TypeDoc would name it by its path) and the ambient declarations are in it.
  const paths = Object.fromEntries(entries.map((entry) => [entry.name, [entry.file]]))
  const packageDirs = [...new Set(entries.map((entry) => entry.packageDir))]
  const program = ts.createProgram({
    rootNames: [...entries.map((entry) => entry.file), ...packageDirs.flatMap(ambientDeclarations)],
    // An import of another @latchkey package resolves to its source, not to its dist/ types, so that a {@link}
    // across packages reaches the page documenting the symbol (test/tsconfig.json maps them alike).
    options: { ...app.options.getCompilerOptions(app.logger), paths },
  })
  const errors = ts.getPreEmitDiagnostics(program)
  if (errors.length) {
    app.logger.error(ts.formatDiagnosticsWithColorAndContext(errors, formatHost))
    return { ok: false }
  }
  const project = app.converter.convert(
    entries.map((entry) => ({ displayName: entry.name, program, sourceFile: program.getSourceFile(entry.file) })),
  )
  app.validate(project)
  const failed = () =>
    app.logger.hasErrors() || (app.options.getValue('treatWarningsAsErrors') && app.logger.hasWarnings())
  if (!failed()) await app.generateOutputs(project)
  for (const warning of KNOWN_WARNINGS.filter((known) => !seen.has(known))) {
    app.logger.info(`No longer warned, so remove it from KNOWN_WARNINGS (scripts/api-reference.mjs): ${warning}`)
  }
  if (!app.logger.hasErrors() && failed()) {
    console.error('Mend the doc comments the warnings above name, or list a warning in KNOWN_WARNINGS (this script).')
  }
  return { ok: !failed() }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now()
  const { ok } = await generateApiReference(process.argv[2] ? resolve(process.argv[2]) : undefined)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(ok ? `API reference written in ${seconds} s.` : 'API reference not written: see the messages above.')
  if (!ok) process.exitCode = 1
}
