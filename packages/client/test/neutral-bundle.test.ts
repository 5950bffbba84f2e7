import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/** The part of esbuild's API used here (esbuild is not a dependency of this package: it comes with tsup). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ errors: { text: string }[] }>
}
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: { path: string; importer: string }) => { path: string; external: boolean },
  ): void
}

const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as Esbuild

async function bundle(entry: string): Promise<{ errors: string[]; nodeImports: string[] }> {
  const nodeImports: string[] = []
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL(`../src/${entry}`, import.meta.url))],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'esm',
    logLevel: 'silent',
    plugins: [
      {
        name: 'refuse-node-builtins',
        setup(build: PluginBuild) {
          build.onResolve(
            { filter: /^node:|^(fs|os|path|url|util|crypto|http|https|stream|events|buffer)$/ },
            (args) => {
              nodeImports.push(`${args.path} (from ${args.importer})`)
              return { path: args.path, external: true }
            },
          )
        },
      },
    ],
  })
  return { errors: result.errors.map((error) => error.text), nodeImports }
}

describe('the core is fetch-only', () => {
  it('bundles src/index.ts for a neutral platform without any node: import', async () => {
    expect(await bundle('index.ts')).toEqual({ errors: [], nodeImports: [] })
  })

  it('would catch a node: import (the Node entry has them)', async () => {
    expect((await bundle('node.ts')).nodeImports.length).toBeGreaterThan(0)
  })
})
