import { defineConfig } from 'vitest/config'

// The bench's own unit tests (pure helpers only); the root config leaves bench/ out on purpose.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } })
