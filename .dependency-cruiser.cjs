// The import rules of STYLE.md (3 and 19) for the source of every package. test/structure.test.ts runs
// them through dependency-cruiser's API, next to the 300-line check; alone they run as
//   pnpm exec depcruise packages --config .dependency-cruiser.cjs
// Paths are relative to the repository root, and only packages/*/src/**, tests aside, is cruised.

// The floors of the verifier, lowest first: the core, then src/adapters/ and a future src/node/ entry
// point, the only places that may speak Node or a framework because translating for them is their job.
const { join } = require('node:path')

const VERIFIER_CORE = '^packages/verifier/src/'
const VERIFIER_NODE_FLOORS = '^packages/verifier/src/(adapters|node)/'
const VERIFIER_ADAPTERS = '^packages/verifier/src/adapters/'
// Resolved through node_modules (types included, hence @types/), or the bare name when not installed.
const FRAMEWORKS =
  '(^|/)node_modules/(@types/)?(express|fastify|koa|hono|next)(/|$)|^(express|fastify|koa|hono|next)(/|$)'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'STYLE 19: no import loop. Move what both files need into a lower module that neither imports back ' +
        '(type-only imports count: a loop of types is still a loop of concepts).',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'verifier-core-imports-no-node',
      severity: 'error',
      comment:
        'STYLE 3: the verifier core uses Web-standard APIs only. Move the Node code into src/adapters/ ' +
        '(or a src/node/ entry point) and hand the core what it needs.',
      from: { path: VERIFIER_CORE, pathNot: VERIFIER_NODE_FLOORS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'verifier-core-imports-no-framework',
      severity: 'error',
      comment:
        'STYLE 3 and 4: only an adapter knows its framework. Move the framework code into src/adapters/, ' +
        'where it translates framework request to core input and core result to framework response.',
      from: { path: VERIFIER_CORE, pathNot: VERIFIER_NODE_FLOORS },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'verifier-core-imports-no-adapter',
      severity: 'error',
      comment:
        'STYLE 19: a lower floor never imports a higher one. Adapters import the core, never the reverse: ' +
        'move what the core needs out of src/adapters/.',
      from: { path: VERIFIER_CORE, pathNot: VERIFIER_ADAPTERS },
      to: { path: VERIFIER_ADAPTERS },
    },
    {
      // Without this, an import that stops resolving (or a new @latchkey/* entry point without a source
      // mapping, which falls through to the built dist/) silently drops out of the cycle check.
      name: 'import-resolves-to-source',
      severity: 'error',
      comment:
        'Relative and @latchkey/* imports must resolve to a source file, or the cycle check cannot see them. ' +
        'Fix the path, or map the new @latchkey/* entry point to its source in test/tsconfig.json `paths`.',
      from: { path: '^packages/[^/]+/src/' },
      to: { path: '^\\.|^@latchkey/|/node_modules/@latchkey/' },
    },
  ],
  options: {
    // Everything under a package except its src/ (dist/, test/, tsup.config.ts), and the tests in src/.
    // node_modules stays visible so that imports of npm modules keep their resolved path.
    exclude: { path: ['^packages/[^/]+/(?!(src|node_modules)(/|$))', '\\.test\\.ts$'] },
    doNotFollow: { path: 'node_modules' },
    // The verifier's one loop today is type-only; without this, TypeScript's elision of type imports hides it.
    tsPreCompilationDeps: true,
    // test/tsconfig.json extends tsconfig.base.json and maps @latchkey/* to packages/*/src, so a loop that
    // runs through two packages is seen. Relative `.js` specifiers resolve to their `.ts` files as tsc does.
    // Absolute, because TypeScript resolves `extends` of a relative config name against the wrong folder.
    tsConfig: { fileName: join(__dirname, 'test/tsconfig.json') },
    // Keep workspace links as node_modules paths: an unmapped @latchkey/* import then shows up as such
    // (see import-resolves-to-source) instead of vanishing into another package's excluded dist/.
    preserveSymlinks: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
}
