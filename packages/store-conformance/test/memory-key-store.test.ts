import { MemoryKeyStore } from '@latchkey/verifier'
import { describeKeyStoreConformance } from '../src/index.js'

describeKeyStoreConformance('MemoryKeyStore', async () => ({ store: new MemoryKeyStore(), close: async () => {} }))
