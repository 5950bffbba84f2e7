import { defineConfig } from 'vitest/config'

// The bench's own unit tests (pure helpers only, never a benchmark); the root suite runs them too.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } })
