import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', 'adapters/express': 'src/adapters/express.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
})
