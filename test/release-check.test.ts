import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// scripts/release-check.mjs packs the built packages, installs the tarballs into a scratch project outside the
// workspace and uses them there as a user would. About 20 s on two cores; without better-sqlite3's build in the
// pnpm store it compiles it first (about 110 s), hence the long timeout.
const repoRoot = fileURLToPath(new URL('..', import.meta.url))

describe('the packed packages, installed outside the workspace', () => {
  it('import, require, type-check under every moduleResolution and run the CLI (pnpm release:check)', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        ['scripts/release-check.mjs'],
        { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, output: stdout + stderr }),
      )
    })
    expect(code, `pnpm release:check failed:\n${output}`).toBe(0)
  }, 300_000)
})
