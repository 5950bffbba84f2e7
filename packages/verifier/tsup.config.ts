import { defineConfig } from 'tsup'

const adapters = ['express', 'node', 'fetch', 'fastify', 'koa', 'hono', 'next']

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    'manage/index': 'src/manage/index.ts',
    ...Object.fromEntries(adapters.map((name) => [`adapters/${name}`, `src/adapters/${name}.ts`])),
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
})
