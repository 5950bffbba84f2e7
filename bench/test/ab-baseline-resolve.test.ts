import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openBaseline } from '../src/ab/baseline-build.js'
import { baselineEnv } from '../src/ab/baseline-resolve.js'
import { benchDirectory } from '../src/ts-process.js'

const hook = join(benchDirectory, 'src', 'ab', 'register-baseline-resolve.ts')

/** A fake `@latchkey/verifier` in `folder` whose `dist/` exports `marker`, under `exports` with a subpath. */
function fakeVerifier(folder: string, marker: string): void {
  mkdirSync(join(folder, 'dist'), { recursive: true })
  const exports = { '.': { import: './dist/index.js' }, './express': { import: './dist/express.js' } }
  const manifest = { name: '@latchkey/verifier', type: 'module', scripts: { build: 'tsup' }, exports }
  writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest))
  writeFileSync(join(folder, 'dist', 'index.js'), `export const marker = '${marker}'\n`)
  writeFileSync(join(folder, 'dist', 'express.js'), `export const marker = '${marker} express'\n`)
}

/** A fake baseline checkout: dependencies "installed", its bench without links, and a built verifier. */
function fakeBaseline(root: string): void {
  mkdirSync(join(root, 'bench'), { recursive: true })
  mkdirSync(join(root, 'node_modules'), { recursive: true })
  fakeVerifier(join(root, 'packages', 'verifier'), 'baseline')
}

/** Links the baseline bench's `@latchkey/verifier` to `target`, as pnpm links a workspace package. */
function linkVerifier(root: string, target: string): void {
  const links = join(root, 'bench', 'node_modules', '@latchkey')
  mkdirSync(links, { recursive: true })
  symlinkSync(target, join(links, 'verifier'))
}

/** Runs `code` as a module in the bench's directory, where `@latchkey/*` is this checkout's, through the hook. */
function importThroughHook(baseline: string, code: string): { stdout: string; stderr: string; status: number | null } {
  const args = ['--import', 'tsx', '--import', hook, '--input-type=module', '-e', code]
  const env = { ...process.env, [baselineEnv]: baseline }
  return spawnSync(process.execPath, args, { cwd: benchDirectory, env, encoding: 'utf8' })
}

let root = ''
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'latchkey-ab-test-'))
  fakeBaseline(root)
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('the baseline resolve hook', () => {
  const probe = [
    "const { marker } = await import('@latchkey/verifier')",
    "const express = await import('@latchkey/verifier/express')",
    "console.log(JSON.stringify([marker, express.marker, import.meta.resolve('express')]))",
  ].join('\n')

  it('imports @latchkey/* from the baseline’s packages when its bench has no link, and the rest as usual', () => {
    const { stdout, stderr, status } = importThroughHook(root, probe)
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' })
    const [marker, subpath, express] = JSON.parse(stdout) as string[]
    expect([marker, subpath]).toEqual(['baseline', 'baseline express'])
    expect(express).toContain('/node_modules/')
    expect(express).not.toContain(root)
  })

  it('imports @latchkey/* through the baseline bench’s workspace link', () => {
    fakeVerifier(join(root, 'linked', 'verifier'), 'linked')
    linkVerifier(root, join('..', '..', '..', 'linked', 'verifier'))
    const { stdout } = importThroughHook(root, probe)
    expect((JSON.parse(stdout) as string[]).slice(0, 2)).toEqual(['linked', 'linked express'])
  })

  it('refuses a resolution that leads out of the baseline', () => {
    linkVerifier(root, join(benchDirectory, '..', 'packages', 'verifier'))
    const { status, stderr } = importThroughHook(root, probe)
    expect(status).not.toBe(0)
    expect(stderr).toContain('outside the baseline checkout')
  })

  it('without the hook, the same code imports this checkout’s build', () => {
    const resolved = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('@latchkey/verifier'))"],
      { cwd: benchDirectory, encoding: 'utf8' },
    )
    expect(resolved).not.toContain(root)
  })
})

describe('openBaseline', () => {
  it('refuses a directory that does not exist, or is no Latchkey checkout', () => {
    expect(() => openBaseline(join(root, 'missing'))).toThrow(/no such directory.*git worktree add/)
    expect(() => openBaseline(join(root, 'bench'))).toThrow(/not a Latchkey checkout/)
  })

  it('refuses a checkout whose packages are not built, naming a missing file', () => {
    rmSync(join(root, 'packages', 'verifier', 'dist'), { recursive: true })
    expect(() => openBaseline(root)).toThrow(/not built \(packages\/verifier\/dist\/\S+ and 1 more files missing/)
  })

  it('accepts a built checkout', () => {
    expect(openBaseline(root).directory).toContain('latchkey-ab-test-')
  })
})
