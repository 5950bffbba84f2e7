import { defineConfig } from 'tsup'

export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, clean: true, target: 'es2022' },
  { entry: ['src/bin.ts'], format: ['esm'], target: 'es2022', banner: { js: '#!/usr/bin/env node' } },
])
