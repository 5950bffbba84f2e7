import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

// docs/api/ is generated (scripts/api-reference.mjs) and checked in, so that it can be read on GitHub; this
// regenerates it into a temp directory and compares the two, file by file.
const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const checkedIn = path.join(repoRoot, 'docs/api')
const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-api-reference-'))
afterAll(() => fs.rmSync(fresh, { recursive: true, force: true }))

/** The files under `dir`, as sorted paths relative to it with `/` separators. */
function filesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => fs.statSync(path.join(dir, file)).isFile())
    .map((file) => file.split(path.sep).join('/'))
    .sort()
}

/** `docs/api/…` paths that differ between the checked-in reference and the fresh one, each with how. */
function staleFiles(): string[] {
  const now = new Set(filesIn(fresh))
  const before = new Set(filesIn(checkedIn))
  const stale: string[] = []
  for (const file of [...new Set([...now, ...before])].sort()) {
    const name = `docs/api/${file}`
    if (!before.has(file)) stale.push(`${name} (missing)`)
    else if (!now.has(file)) stale.push(`${name} (documents nothing any more)`)
    else if (fs.readFileSync(path.join(fresh, file), 'utf8') !== fs.readFileSync(path.join(checkedIn, file), 'utf8'))
      stale.push(`${name} (out of date)`)
  }
  return stale
}

function generate(out: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const script = path.join(repoRoot, 'scripts/api-reference.mjs')
    execFile(
      process.execPath,
      [script, out],
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, output: stdout + stderr }),
    )
  })
}

describe('the API reference in docs/api/', () => {
  it('is what `pnpm docs:api` generates from the current sources, without an error or an unlisted warning', async () => {
    const { code, output } = await generate(fresh)
    expect(code, `scripts/api-reference.mjs failed:\n${output}`).toBe(0)
    const stale = staleFiles()
    expect(
      stale,
      `docs/api/ is out of date: run \`pnpm docs:api\` and commit docs/api/. Stale files:\n${stale.join('\n')}`,
    ).toEqual([])
  }, 180_000)
})
