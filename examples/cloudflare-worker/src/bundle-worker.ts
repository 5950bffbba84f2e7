import { builtinModules } from 'node:module'
import * as esbuild from 'esbuild'

/** What to bundle: an entry file, or module source with the directory its imports resolve from. */
export type WorkerSource = string | { readonly contents: string; readonly resolveDir: string }

/**
 * Bundles a module Worker and everything it imports into one ES module, as wrangler does: the
 * `workerd`, `worker` and `browser` export conditions, and no Node polyfills. Node built-ins (`node:fs`,
 * `crypto`…) stay imports, so workerd without `nodejs_compat` refuses to load the bundle: a Node
 * import slipping into a Web-only entry point fails here as it would on Cloudflare.
 */
export async function bundleWorker(source: WorkerSource): Promise<string> {
  const input =
    typeof source === 'string'
      ? { entryPoints: [source] }
      : { stdin: { contents: source.contents, resolveDir: source.resolveDir, loader: 'ts' as const } }
  const result = await esbuild.build({
    ...input,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['node:*', ...builtinModules],
    // Errors still reject; the warnings are tsup's bare chunk imports in packages marked side-effect free.
    logLevel: 'silent',
  })
  const [bundle] = result.outputFiles
  if (!bundle) throw new Error('esbuild produced no bundle; check the entry point.')
  return bundle.text
}
