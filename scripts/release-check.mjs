// `pnpm release:check`: the published packages as a user gets them. Packs each one as `pnpm publish` would
// (workspace:^ becomes ^0.2.0), installs all the tarballs into a scratch project outside the workspace, and
// there proves that every `exports` subpath imports (ESM) and requires (CommonJS) with the value exports its
// types declare, that a file importing every subpath type-checks under each TypeScript moduleResolution,
// and that the CLI's bin runs. Run it after `pnpm build`: it packs the dist/ folders as they are.
//
//   node scripts/release-check.mjs [--keep]   exits 1 when a check fails; --keep leaves the scratch project
import { execFile, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import ts from 'typescript'

const root = resolve(import.meta.dirname, '..')
const run = promisify(execFile)

/** The packages `pnpm publish` would publish: `{ dir, manifest, subpaths }`, subpaths as import specifiers. */
function publicPackages() {
  return readdirSync(join(root, 'packages'))
    .sort()
    .map((folder) => join(root, 'packages', folder))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .map((pkg) => ({
      ...pkg,
      subpaths: Object.keys(pkg.manifest.exports ?? { '.': null })
        .filter((subpath) => subpath !== './package.json')
        .map((subpath) => pkg.manifest.name + subpath.slice(1)),
    }))
}

/** The version of `name` installed for `dir` in the workspace, or undefined. */
function installedVersion(dir, name) {
  const manifest = join(dir, 'node_modules', name, 'package.json')
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined
}

/**
 * What a user adds beside the tarballs to use every subpath, at the versions the workspace has, which the
 * pnpm store therefore holds: the optional peers (express, ky, …), their @types, and @types/node.
 */
function companions(packages) {
  const versions = { '@types/node': installedVersion(root, '@types/node') }
  for (const { dir, manifest } of packages) {
    for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
      for (const name of [peer, `@types/${peer}`]) {
        const version = installedVersion(dir, name)
        if (version) versions[name] = version
      }
    }
  }
  return versions
}

/** Packs `dir` into `destination` with pnpm, which rewrites workspace:^ ranges; returns the tarball's path. */
async function pack(dir, destination) {
  const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd: dir })
  return JSON.parse(stdout).filename
}

/**
 * Writes the scratch project. The overrides make every @latchkey dependency (the CLI's on the verifier, …) the
 * packed tarball too, never a registry lookup. better-sqlite3 is pinned to the workspace's version and allowed to
 * build, so pnpm takes its build from the side-effects cache the workspace's install left in the store (about
 * 2 s) instead of downloading a binary from GitHub or compiling it (about 110 s on two cores).
 */
function writeProject(dir, tarballs, versions) {
  const files = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]))
  const manifest = { name: 'latchkey-release-check', private: true, type: 'module', dependencies: files }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...manifest, devDependencies: versions }, null, 2)}\n`)
  const sqlite = installedVersion(join(root, 'packages/store-sqlite'), 'better-sqlite3')
  const overrides = { ...files, ...(sqlite && { 'better-sqlite3': sqlite }) }
  const lines = Object.entries(overrides).map(([name, spec]) => `  '${name}': '${spec}'`)
  writeFileSync(
    join(dir, 'pnpm-workspace.yaml'),
    ['allowBuilds:', '  better-sqlite3: true', 'overrides:', ...lines, ''].join('\n'),
  )
}

/** Installs the scratch project from the store; the registry is asked only for what the store lacks. */
function install(dir) {
  // When the store has no build for this Node, better-sqlite3 compiles from source: pnpm does not read npm's
  // `nodedir` (the headers of an offline machine), so it is handed over as scripts/setup.sh does.
  const nodedir = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim()
  const env = { ...process.env }
  if (!env.npm_config_nodedir && nodedir && nodedir !== 'undefined' && nodedir !== 'null') {
    env.npm_config_nodedir = nodedir
  }
  const result = spawnSync('pnpm', ['install', '--prefer-offline', '--reporter', 'append-only'], {
    cwd: dir,
    env,
    encoding: 'utf8',
  })
  if (result.status !== 0)
    throw new Error(`pnpm install failed in the scratch project:\n${result.stdout}${result.stderr}`)
}

// Runs in the scratch project: imports or requires every specifier and prints, for each, its export names and
// the file it resolved to, or the error it threw.
const LOADER = `
import { createRequire } from 'node:module'
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
const [mode, specifiers] = [process.argv[1], JSON.parse(process.argv[2])]
const require = createRequire(process.cwd() + '/')
const result = {}
for (const specifier of specifiers) {
  try {
    const loaded = mode === 'import' ? await import(specifier) : require(specifier)
    const file = mode === 'import' ? fileURLToPath(import.meta.resolve(specifier)) : require.resolve(specifier)
    result[specifier] = { names: Object.keys(loaded).sort(), file: realpathSync(file) }
  } catch (error) {
    result[specifier] = { error: String(error) }
  }
}
console.log(JSON.stringify(result))
`

async function loadAll(dir, mode, specifiers) {
  const args = ['--input-type=module', '-e', LOADER, mode, JSON.stringify(specifiers)]
  const { stdout } = await run(process.execPath, args, { cwd: dir })
  return JSON.parse(stdout)
}

// Each moduleResolution with the files it type-checks (under node16/nodenext an ES module and a CommonJS one,
// which gets the `require` condition's types). Every one proves that each subpath resolves to its types; the
// packages' declarations themselves are checked once, under nodenext (skipLibCheck would hide their errors,
// and checking every library four times triples the time). node16 models Node 16, whose require() cannot load
// an ES module, so there the .d.cts files' imports of ESM-only jose and ky are errors Node >= 20.19 does not have.
const RESOLUTIONS = [
  { moduleResolution: 'nodenext', module: 'nodenext', files: ['esm.ts', 'cjs.cts'], skipLibCheck: false },
  { moduleResolution: 'node16', module: 'node16', files: ['esm.ts', 'cjs.cts'] },
  { moduleResolution: 'bundler', module: 'esnext', files: ['esm.ts'] },
  // node10, served by typesVersions for the subpaths.
  { moduleResolution: 'node', module: 'commonjs', files: ['esm.ts'] },
]

/**
 * The settings `tsc --init` writes (strict, esModuleInterop, skipLibCheck) for Node. The types come from the
 * scratch project's node_modules/@types, not from the workspace this script runs in.
 */
function compilerOptions(dir, settings) {
  const json = { target: 'es2022', lib: ['es2023'], types: ['node'], strict: true, esModuleInterop: true }
  const { options, errors } = ts.convertCompilerOptionsFromJson({ ...json, skipLibCheck: true, ...settings }, dir)
  if (errors.length) throw new Error(ts.flattenDiagnosticMessageText(errors[0].messageText, '\n'))
  return { ...options, noEmit: true, typeRoots: [join(dir, 'node_modules/@types')] }
}

/** Each specifier `file` imports, with the value exports its types declare (the names docs/api documents). */
function declaredValueExports(program, file) {
  const checker = program.getTypeChecker()
  const declared = {}
  for (const statement of program.getSourceFile(file).statements.filter(ts.isImportDeclaration)) {
    const moduleSymbol = checker.getSymbolAtLocation(statement.moduleSpecifier)
    declared[statement.moduleSpecifier.text] = (moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [])
      .filter((symbol) => {
        const alias = symbol.flags & ts.SymbolFlags.Alias
        if (alias && symbol.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d))) return false
        return ((alias ? checker.getAliasedSymbol(symbol) : symbol).flags & ts.SymbolFlags.Value) !== 0
      })
      .map((symbol) => symbol.name)
      .sort()
  }
  return declared
}

/**
 * Type-checks a file importing every specifier under each moduleResolution. Returns the errors, formatted,
 * and the value exports the types declare (from the first resolution, nodenext).
 */
function typeCheck(dir, specifiers) {
  writeFileSync(join(dir, 'esm.ts'), specifiers.map((s, i) => `import * as m${i} from '${s}'\nvoid m${i}\n`).join(''))
  writeFileSync(join(dir, 'cjs.cts'), specifiers.map((s, i) => `import m${i} = require('${s}')\nvoid m${i}\n`).join(''))
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' }
  const errors = []
  let declared
  for (const { files, ...settings } of RESOLUTIONS) {
    const options = compilerOptions(dir, settings)
    const program = ts.createProgram({ rootNames: files.map((file) => join(dir, file)), options })
    declared ??= declaredValueExports(program, join(dir, 'esm.ts'))
    const diagnostics = ts.getPreEmitDiagnostics(program)
    if (diagnostics.length === 0) continue
    errors.push(`moduleResolution ${settings.moduleResolution}:\n${ts.formatDiagnostics(diagnostics, host)}`)
  }
  return { errors, declared }
}

/** Compares what each specifier loads to what its types declare; returns the failures. */
function compareExports(mode, loaded, declared, dir) {
  const failures = []
  for (const [specifier, names] of Object.entries(declared)) {
    const got = loaded[specifier]
    if (got.error) failures.push(`${mode} '${specifier}' threw: ${got.error}`)
    else if (!got.file.startsWith(dir)) failures.push(`${mode} '${specifier}' loaded ${got.file}, outside the project`)
    else if (names.length === 0) failures.push(`'${specifier}' declares no value export: the types did not resolve`)
    else {
      const missing = names.filter((name) => !got.names.includes(name))
      const extra = got.names.filter((name) => !names.includes(name))
      if (missing.length) failures.push(`${mode} '${specifier}' lacks ${missing.join(', ')}, which its types declare`)
      if (extra.length) failures.push(`${mode} '${specifier}' has ${extra.join(', ')}, which its types do not declare`)
    }
  }
  return failures
}

/**
 * Every @latchkey dependency of a packed package (the CLI's on the verifier, …) must resolve to the packed copy
 * the project installed, not to another one (a registry package of that name, or the workspace).
 */
function checkLinks(dir, packages) {
  const resolveFrom = (from, name) => realpathSync(createRequire(from).resolve(`${name}/package.json`))
  const failures = []
  for (const { manifest } of packages) {
    const installed = resolveFrom(join(dir, 'package.json'), manifest.name)
    for (const dependency of Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@latchkey/'))) {
      const used = resolveFrom(installed, dependency)
      const expected = resolveFrom(join(dir, 'package.json'), dependency)
      if (used !== expected)
        failures.push(`${manifest.name} uses ${dependency} from ${used}, not the packed ${expected}`)
    }
  }
  return failures
}

/** Runs the CLI's bin: `--help`, then a command that opens an SQLite database (better-sqlite3's binary). */
function checkCli(dir) {
  const bin = join(dir, 'node_modules/.bin/latchkey')
  const database = `sqlite:${join(dir, 'latchkey.db')}`
  const failures = []
  for (const args of [['--help'], ['accounts', 'create', '--name', 'Release check', '--database', database]]) {
    const result = spawnSync(bin, args, { cwd: dir, encoding: 'utf8' })
    if (result.status !== 0 || !result.stdout.trim()) {
      failures.push(`latchkey ${args.join(' ')} exited ${result.status}: ${result.stderr || result.error}`)
    }
  }
  return failures
}

async function releaseCheck({ keep = false } = {}) {
  const started = performance.now()
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-release-check-'))
  // `finally` does not run when the process is interrupted (Ctrl-C, a CI timeout).
  const interrupted = () => {
    rmSync(dir, { recursive: true, force: true })
    process.exit(130)
  }
  if (!keep) for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, interrupted)
  try {
    const packages = publicPackages()
    mkdirSync(join(dir, 'packs'))
    const files = await Promise.all(packages.map(({ dir: packageDir }) => pack(packageDir, join(dir, 'packs'))))
    const tarballs = Object.fromEntries(packages.map(({ manifest }, i) => [manifest.name, files[i]]))
    writeProject(dir, tarballs, companions(packages))
    console.log(`Packed ${packages.length} packages (${seconds()}).`)
    install(dir)
    console.log(`Installed them in ${dir} (${seconds()}).`)

    const specifiers = packages.flatMap((pkg) => pkg.subpaths)
    const { errors, declared } = typeCheck(dir, specifiers)
    console.log(`TypeScript: ${RESOLUTIONS.map((r) => r.moduleResolution).join(', ')} (${seconds()}).`)
    const failures = [...errors]
    for (const mode of ['import', 'require']) {
      failures.push(...compareExports(mode, await loadAll(dir, mode, specifiers), declared, dir))
    }
    failures.push(...checkLinks(dir, packages))
    const exportCount = Object.values(declared).flat().length
    console.log(`ESM and CommonJS: ${specifiers.length} subpaths, ${exportCount} value exports (${seconds()}).`)
    failures.push(...checkCli(dir))
    console.log(`CLI: latchkey --help, latchkey accounts create (${seconds()}).`)
    return failures
  } finally {
    if (keep) console.log(`Kept the scratch project: ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

const failures = await releaseCheck({ keep: process.argv.includes('--keep') }).catch((error) => [error.message])
for (const failure of failures) console.error(`✗ ${failure}`)
console.log(failures.length ? `release:check: ${failures.length} failed.` : 'release:check: every check passed.')
process.exitCode = failures.length ? 1 : 0
