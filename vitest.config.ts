import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // bench/test holds unit tests of the bench's pure helpers (ratios, targets, profiles), never a benchmark.
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      // Repository tests: house rules that hold across packages (test/structure.test.ts).
      'test/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
})
