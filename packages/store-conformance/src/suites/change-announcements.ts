import type { ApiKeyChanges } from '@latchkey/verifier'
import { describe, expect, it, type TestContext } from 'vitest'
import { listen } from '../announcements.js'
import { at, makeAccount, makeApiKey } from '../fixtures.js'
import type { ConformanceHarness } from '../harness.js'

/**
 * What a verifier caching keys hears: an update of what it caches, and a rotation, made through
 * another connection. Skipped for a store with neither `watch` nor `changeVersion`, which a verifier
 * reads on every request.
 */
export function describeChangeAnnouncements({ store, connect }: ConformanceHarness): void {
  describe('announcing key updates and rotations', () => {
    /** The test's store listening, and another connection (or the store itself) writing a key `lk_one`. */
    async function setUp(context: TestContext) {
      const listener = await listen(store())
      if (!listener) return context.skip('the store has neither watch nor changeVersion')
      const writer = connect ? await connect() : store()
      await writer.insertAccount(makeAccount())
      await writer.insertApiKey(makeApiKey({ scopes: ['read', 'write'] }))
      await listener.reset('lk_one')
      return { listener, writer }
    }

    it.for<[string, ApiKeyChanges]>([
      ['its scopes', { scopes: ['read'] }],
      ['its expiry', { expiresAt: at(60_000) }],
      ['its name', { name: 'renamed' }],
      ['its metadata', { metadata: { plan: 'free' } }],
    ])('announces a change of %s by the key id', async ([, changes], context) => {
      const { listener, writer } = await setUp(context)
      try {
        await writer.updateApiKey('lk_one', changes)
        await listener.announced('lk_one')
      } finally {
        listener.close()
      }
    })

    it('announces a rotation by both ids: the key and its replacement', async (context) => {
      const { listener, writer } = await setUp(context)
      try {
        const replacement = makeApiKey({ id: 'lk_two', createdAt: at(1) })
        expect(await writer.rotateApiKey('lk_one', replacement, at(60_000))).toMatchObject({ rotated: true })
        await listener.announced('lk_one', 'lk_two')
      } finally {
        listener.close()
      }
    })
  })
}
